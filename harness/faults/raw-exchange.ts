/**
 * Fault injection on a byte stream: connect (TCP, or TLS when the interface uses it), write bytes
 * exactly as given, collect what comes back for a while, and note whether the peer closed. Every
 * byte goes into the evidence as tx/rx on the given channel, so a malformed case can be replayed.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { EvidenceLog } from '../evidence/evidence-log.js';
import { nextConnId, parseTcpUrl, printable } from '../protocols/transport/channel.js';

export interface RawExchangeOptions {
  /** tcp://, mqtt:// or mqtts:// host:port */
  url: string;
  tls?: { rejectUnauthorized?: boolean; caFile?: string };
  bytes: Buffer;
  waitMs: number;
  evidence: EvidenceLog;
  channel: string;
  /** Registry name of the protocol the bytes are meant as (the reports decode by it). */
  protocol?: string;
  text: string;
  signal?: AbortSignal;
}

export interface RawExchangeResult {
  connected: boolean;
  rx: Buffer;
  closedByPeer: boolean;
  error?: string;
}

export async function rawExchange(o: RawExchangeOptions): Promise<RawExchangeResult> {
  const m = /^(\w+):\/\/(.+)$/.exec(o.url);
  const { host, port } = parseTcpUrl(m ? m[2]! : o.url);
  const secure = m?.[1] === 'mqtts' || !!(o.tls && m?.[1] !== 'tcp' && m?.[1] !== 'mqtt');
  const conn = nextConnId(o.channel);
  const tag = o.protocol ? { protocol: o.protocol } : {};
  // Bytes inside TLS are ciphertext: marked so no decoder reads them as the protocol.
  const wire = secure ? { attrs: { tls: true } } : {};
  const chunks: Buffer[] = [];
  let closedByPeer = false;
  let error: string | undefined;
  const sock: Socket | TLSSocket = secure
    ? tlsConnect({ host, port, rejectUnauthorized: o.tls?.rejectUnauthorized ?? true, ...(o.tls?.caFile ? { ca: readFileSync(o.tls.caFile) } : {}) })
    : new Socket().connect({ host, port });
  const connected = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => { error = 'connect timeout'; resolve(false); }, 3000);
    sock.once(secure ? 'secureConnect' : 'connect', () => { clearTimeout(t); resolve(true); });
    sock.once('error', (e) => { clearTimeout(t); error = e.message; resolve(false); });
  });
  if (!connected) {
    sock.destroy();
    o.evidence.append({ channel: o.channel, ...tag, conn, dir: 'error', text: `${o.text}: could not connect to ${o.url}: ${error}` });
    return { connected: false, rx: Buffer.alloc(0), closedByPeer: false, error };
  }
  o.evidence.append({ channel: o.channel, ...tag, conn, dir: 'open', text: `${secure ? 'tls' : 'tcp'} open ${o.url} (${o.text})`, endpoints: { proto: 'tcp', local: `${sock.localAddress}:${sock.localPort}`, remote: `${host}:${port}` } });
  sock.on('data', (b: Buffer) => chunks.push(b));
  sock.on('error', (e) => { error ??= e.message; });
  const closed = new Promise<void>((r) => sock.once('close', () => { closedByPeer = true; r(); }));
  o.evidence.append({ channel: o.channel, ...tag, conn, dir: 'tx', data: o.bytes, text: `${o.text}: ${o.bytes.length} bytes`, ...wire });
  sock.write(o.bytes, () => undefined);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, o.waitMs))), ...(o.signal ? [new Promise<void>((r) => o.signal!.addEventListener('abort', () => r(), { once: true }))] : [])]);
  clearTimeout(timer);
  const peer = closedByPeer;
  sock.destroy();
  const rx = Buffer.concat(chunks);
  if (rx.length) o.evidence.append({ channel: o.channel, ...tag, conn, dir: 'rx', data: rx, text: `reply ${rx.length} bytes: ${printable(rx, 120)}`, ...wire });
  o.evidence.append({ channel: o.channel, ...tag, conn, dir: 'close', text: peer ? `closed by the device${error ? ` (${error})` : ''}` : 'closed by the harness' });
  return { connected: true, rx, closedByPeer: peer, ...(error ? { error } : {}) };
}
