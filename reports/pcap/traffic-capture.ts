import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';
import { makeClock } from '../runs/evidence-clock.js';
import { exportedPdu } from './exported-pdu.js';
import { parseAddress, tcpFrame, TCP_FLAGS, udpFrame, type SocketAddress } from './packet-framing.js';
import { LINKTYPE, PcapngWriter, type PacketSpec } from './pcapng-writer.js';
import { decoderOf, recordProtocol } from '../runs/record-protocol.js';
import { streamKey } from '../runs/stream-key.js';

/**
 * traffic.pcapng from evidence.jsonl. The evidence holds what crossed each socket (bytes per
 * read/write, open and close), not raw frames, so TCP framing is rebuilt: handshake at 'open',
 * data segments of at most 1460 bytes with running seq/ack numbers ('tx' harness→device,
 * 'rx' device→harness), FIN exchange at 'close'. Every packet's comment names the evidence
 * record it came from. Serial (console, Modbus RTU) goes on a second interface as exported PDUs.
 * Dissectors come from each record's protocol decoder in the registry (`wireshark`).
 */
const MSS = 1460;

interface TcpState {
  client: SocketAddress;
  server: SocketAddress;
  cSeq: number;
  sSeq: number;
  open: boolean;
  closed: boolean;
}

export interface CaptureResult {
  pcapng: Buffer;
  packets: number;
  /** Non-standard server ports and their Wireshark dissector, for tshark's -d decode-as (pcapng cannot carry it). */
  decodeAs: { port: number; protocol: string }[];
}

/** Serial bytes of a protocol without a serial dissector: shown as text lines. */
const TEXT_LINES = 'data-text-lines';

function isn(key: string, side: string): number {
  return parseInt(sha256Hex(`${key}|${side}`).slice(0, 8), 16);
}

export function buildCapture(records: EvidenceRecord[], meta: { runId: string; target: string; harnessVersion: string }): CaptureResult {
  const clock = makeClock(records);
  const packets: PacketSpec[] = [];
  const tcp = new Map<string, TcpState>();
  const decodeAs = new Map<number, string>();
  let current: EvidenceRecord | undefined;
  let k = 0n;
  // Packets made from one record share its timestamp; +1 ns each keeps their order visible.
  const push = (r: EvidenceRecord, data: Buffer, iface: number, note: string, direction?: 1 | 2) => {
    if (r !== current) (current = r), (k = 0n);
    packets.push({ iface, tsNs: clock(r) + k++, data, comment: `hil seq=${r.seq} channel=${r.channel}${r.conn ? ` conn=${r.conn}` : ''} ${note}`, ...(direction ? { direction } : {}) });
  };

  const segment = (r: EvidenceRecord, s: TcpState, fromClient: boolean, flags: number, payload = Buffer.alloc(0), note: string = r.dir) => {
    const [src, dst] = fromClient ? [s.client, s.server] : [s.server, s.client];
    const seq = fromClient ? s.cSeq : s.sSeq;
    const ack = fromClient ? s.sSeq : s.cSeq;
    push(r, tcpFrame(src, dst, { seq, ack, flags, payload }, fromClient), 0, note, fromClient ? 2 : 1);
    const advance = payload.length + (flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN) ? 1 : 0);
    if (fromClient) s.cSeq = (s.cSeq + advance) >>> 0;
    else s.sSeq = (s.sSeq + advance) >>> 0;
  };

  const handshake = (r: EvidenceRecord, s: TcpState) => {
    const { SYN, ACK } = TCP_FLAGS;
    segment(r, s, true, SYN, undefined, 'open (SYN)');
    segment(r, s, false, SYN | ACK, undefined, 'open (SYN-ACK)');
    segment(r, s, true, ACK, undefined, 'open (ACK)');
    s.open = true;
  };

  for (const r of records) {
    const ep = r.endpoints;
    if (!ep) continue;
    const wireshark = decoderOf(r)?.decoder.wireshark;
    if (ep.proto === 'serial') {
      if ((r.dir !== 'tx' && r.dir !== 'rx') || !r.data) continue;
      const serial = wireshark?.serial ?? { dissector: TEXT_LINES, column: recordProtocol(r) ?? 'Serial' };
      const bytes = Buffer.from(r.data, 'hex');
      const pdu = exportedPdu(serial.dissector, bytes, { sent: r.dir === 'tx', protocolColumn: serial.column });
      push(r, pdu, 1, `${r.dir} ${ep.local}`, r.dir === 'tx' ? 2 : 1);
      continue;
    }
    const client = parseAddress(ep.local);
    const server = parseAddress(ep.remote);
    // Only records whose bytes the dissector can read (not TLS) ask for decode-as.
    const dissector = ep.proto === 'tcp' && r.data ? wireshark?.tcp : undefined;
    if (dissector && server.port > 0 && server.port !== dissector.port) decodeAs.set(server.port, dissector.dissector);
    if (ep.proto === 'udp') {
      if ((r.dir !== 'tx' && r.dir !== 'rx') || !r.data) continue;
      const fromClient = r.dir === 'tx';
      push(r, udpFrame(fromClient ? client : server, fromClient ? server : client, Buffer.from(r.data, 'hex'), fromClient), 0, r.dir, fromClient ? 2 : 1);
      continue;
    }
    const key = streamKey(r);
    let s = tcp.get(key);
    if (!s || s.closed) {
      if (r.dir === 'close') continue;
      s = { client, server, cSeq: isn(key, 'c'), sSeq: isn(key, 's'), open: false, closed: false };
      tcp.set(key, s);
    }
    if (r.dir === 'event' && r.attrs?.state === 'open' && !s.open && client.port > 0) {
      // A port-scan hit: connect, then the scanner resets.
      segment(r, s, true, TCP_FLAGS.SYN, undefined, 'probe (SYN)');
      segment(r, s, false, TCP_FLAGS.SYN | TCP_FLAGS.ACK, undefined, 'probe open (SYN-ACK)');
      segment(r, s, true, TCP_FLAGS.RST, undefined, 'probe done (RST)');
      s.closed = true;
    } else if (r.dir === 'error') {
      // A connect that failed (a probe of a closed port): SYN answered by RST. Errors on an open stream carry no packet.
      if (!s.open) {
        segment(r, s, true, TCP_FLAGS.SYN, undefined, 'connect (SYN)');
        segment(r, s, false, TCP_FLAGS.RST | TCP_FLAGS.ACK, undefined, 'refused (RST)');
        s.closed = true;
      }
    } else if (r.dir === 'open') {
      if (!s.open) handshake(r, s);
    } else if ((r.dir === 'tx' || r.dir === 'rx') && r.data) {
      if (!s.open) handshake(r, s);
      const bytes = Buffer.from(r.data, 'hex');
      for (let at = 0; at < bytes.length; at += MSS) segment(r, s, r.dir === 'tx', TCP_FLAGS.PSH | TCP_FLAGS.ACK, bytes.subarray(at, at + MSS), r.dir);
    } else if (r.dir === 'close' && s.open) {
      // attrs.by = 'remote' when the device closed the connection.
      const clientFirst = r.attrs?.by !== 'remote';
      const { FIN, ACK } = TCP_FLAGS;
      segment(r, s, clientFirst, FIN | ACK, undefined, 'close (FIN)');
      segment(r, s, !clientFirst, FIN | ACK, undefined, 'close (FIN)');
      segment(r, s, clientFirst, ACK, undefined, 'close (ACK)');
      s.closed = true;
    }
  }

  // Records of merged runs interleave in time; pcapng readers expect time order.
  const sorted = packets.map((p, i) => ({ p, i })).sort((a, b) => (a.p.tsNs < b.p.tsNs ? -1 : a.p.tsNs > b.p.tsNs ? 1 : a.i - b.i));
  const hints = [...decodeAs].map(([port, protocol]) => ({ port, protocol }));
  const writer = new PcapngWriter({
    comment:
      `hil run ${meta.runId} target ${meta.target}. TCP framing synthesized from evidence.jsonl; each packet comment gives its evidence seq.` +
      (hints.length ? ` Decode-as for non-standard ports: ${hints.map((h) => `-d tcp.port==${h.port},${h.protocol}`).join(' ')}` : ''),
    userAppl: `hil ${meta.harnessVersion}`,
  });
  writer.addInterface({ linktype: LINKTYPE.ETHERNET, name: 'hil-net', description: 'network traffic (TCP/UDP) rebuilt from evidence' });
  writer.addInterface({ linktype: LINKTYPE.WIRESHARK_UPPER_PDU, name: 'hil-serial', description: 'serial console and RTU bytes as exported PDUs' });
  for (const { p } of sorted) writer.addPacket(p);
  return { pcapng: writer.toBuffer(), packets: sorted.length, decodeAs: hints };
}
