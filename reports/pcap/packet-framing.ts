import { isIPv4, isIPv6 } from 'node:net';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';

/** Ethernet / IPv4 / IPv6 / TCP / UDP headers with correct checksums, for synthesized captures. */

export interface SocketAddress {
  ip: string;
  port: number;
  v6: boolean;
}

/**
 * "127.0.0.1:502" or "[::1]:502". A host name (not an address) gets a stable address from
 * TEST-NET-2 (198.51.100.0/24) so its stream stays apart from others and never looks like a real host.
 */
export function parseAddress(s: string): SocketAddress {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(s);
  const host = m ? m[1]! : s;
  const port = m ? Number(m[2]) : 0;
  if (isIPv4(host)) return { ip: host, port, v6: false };
  if (isIPv6(host)) return { ip: host, port, v6: true };
  if (host === 'localhost') return { ip: '127.0.0.1', port, v6: false };
  return { ip: `198.51.100.${(parseInt(sha256Hex(host).slice(0, 2), 16) % 254) + 1}`, port, v6: false };
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail !== undefined && tail ? tail.split(':').filter(Boolean) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/** RFC 1071 ones'-complement sum. */
export function internetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const buf of parts) {
    for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
    if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpSegment {
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
  window?: number;
}

let ipId = 1;

function ipPacket(src: SocketAddress, dst: SocketAddress, protocol: number, l4: Buffer): Buffer {
  if (src.v6 || dst.v6) {
    const s = src.v6 ? ipv6Bytes(src.ip) : ipv6Bytes(`::ffff:0:0`);
    const d = dst.v6 ? ipv6Bytes(dst.ip) : ipv6Bytes(`::ffff:0:0`);
    const hdr = Buffer.alloc(40);
    hdr.writeUInt32BE(0x60000000, 0);
    hdr.writeUInt16BE(l4.length, 4);
    hdr[6] = protocol;
    hdr[7] = 64;
    s.copy(hdr, 8);
    d.copy(hdr, 24);
    return Buffer.concat([hdr, l4]);
  }
  const hdr = Buffer.alloc(20);
  hdr[0] = 0x45;
  hdr.writeUInt16BE(20 + l4.length, 2);
  hdr.writeUInt16BE(ipId++ & 0xffff, 4);
  hdr.writeUInt16BE(0x4000, 6); // don't fragment
  hdr[8] = 64;
  hdr[9] = protocol;
  ipv4Bytes(src.ip).copy(hdr, 12);
  ipv4Bytes(dst.ip).copy(hdr, 16);
  hdr.writeUInt16BE(internetChecksum(hdr), 10);
  return Buffer.concat([hdr, l4]);
}

function pseudoHeader(src: SocketAddress, dst: SocketAddress, protocol: number, length: number): Buffer {
  if (src.v6 || dst.v6) {
    const p = Buffer.alloc(40);
    (src.v6 ? ipv6Bytes(src.ip) : Buffer.alloc(16)).copy(p, 0);
    (dst.v6 ? ipv6Bytes(dst.ip) : Buffer.alloc(16)).copy(p, 16);
    p.writeUInt32BE(length, 32);
    p[39] = protocol;
    return p;
  }
  const p = Buffer.alloc(12);
  ipv4Bytes(src.ip).copy(p, 0);
  ipv4Bytes(dst.ip).copy(p, 4);
  p[9] = protocol;
  p.writeUInt16BE(length, 10);
  return p;
}

function ethernet(v6: boolean, fromClient: boolean, ip: Buffer): Buffer {
  const hdr = Buffer.alloc(14);
  // Locally administered MACs: 02:..:01 is the harness side, 02:..:02 the device side.
  Buffer.from([2, 0, 0, 0, 0, fromClient ? 2 : 1]).copy(hdr, 0);
  Buffer.from([2, 0, 0, 0, 0, fromClient ? 1 : 2]).copy(hdr, 6);
  hdr.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([hdr, ip]);
}

export function tcpFrame(src: SocketAddress, dst: SocketAddress, seg: TcpSegment, fromClient: boolean): Buffer {
  const withMss = (seg.flags & TCP_FLAGS.SYN) !== 0;
  const hlen = withMss ? 24 : 20;
  const tcp = Buffer.alloc(hlen + seg.payload.length);
  tcp.writeUInt16BE(src.port, 0);
  tcp.writeUInt16BE(dst.port, 2);
  tcp.writeUInt32BE(seg.seq >>> 0, 4);
  tcp.writeUInt32BE(seg.flags & TCP_FLAGS.ACK ? seg.ack >>> 0 : 0, 8);
  tcp[12] = (hlen / 4) << 4;
  tcp[13] = seg.flags;
  tcp.writeUInt16BE(seg.window ?? 65535, 14);
  if (withMss) tcp.writeUInt32BE(0x020405b4, 20); // MSS 1460
  seg.payload.copy(tcp, hlen);
  const v6 = src.v6 || dst.v6;
  tcp.writeUInt16BE(internetChecksum(pseudoHeader(src, dst, 6, tcp.length), tcp), 16);
  return ethernet(v6, fromClient, ipPacket(src, dst, 6, tcp));
}

export function udpFrame(src: SocketAddress, dst: SocketAddress, payload: Buffer, fromClient: boolean): Buffer {
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(src.port, 0);
  udp.writeUInt16BE(dst.port, 2);
  udp.writeUInt16BE(udp.length, 4);
  payload.copy(udp, 8);
  const v6 = src.v6 || dst.v6;
  const sum = internetChecksum(pseudoHeader(src, dst, 17, udp.length), udp);
  udp.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
  return ethernet(v6, fromClient, ipPacket(src, dst, 17, udp));
}
