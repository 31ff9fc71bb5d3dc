/**
 * Modbus TCP request flood at a target rate over several connections, pipelined (several
 * transactions in flight per connection, told apart by transaction id), with every response
 * verified against its request. Reports what was really sent and answered, not what was asked:
 * a request is only sent when its connection has room (at most `maxInFlight` outstanding), so an
 * overwhelmed device lowers the achieved rate instead of growing an unbounded queue here.
 * Written on raw sockets (no per-frame evidence: one summary per step is logged by the caller).
 */
import { Socket } from 'node:net';
import { parseTcpUrl } from '../protocols/transport/channel.js';
import { checkResponse, mbapFrame, readPdu } from '../protocols/modbus/modbus-codec.js';
import { percentile, round2 } from '../monitor/stats.js';

export interface ModbusStormOptions {
  /** tcp://host:port */
  url: string;
  unitId: number;
  ratePerSec: number;
  durationMs: number;
  connections?: number;
  /** Request PDU (default FC03 read of one holding register at `address`). */
  pdu?: Buffer;
  address?: number;
  maxInFlight?: number;
  /** How long to wait for outstanding answers after the last send (default 500 ms). */
  drainMs?: number;
  signal?: AbortSignal;
}

export interface ModbusStormResult {
  requestedRate: number;
  connections: number;
  /** Connections that could be opened. */
  connected: number;
  sent: number;
  verifiedResponses: number;
  exceptions: number;
  malformed: number;
  /** Requests still unanswered when the step ended. */
  unanswered: number;
  /** Sends skipped because every connection had maxInFlight outstanding requests. */
  throttled: number;
  elapsedMs: number;
  achievedRate: number;
  verifiedRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  errors: string[];
}

interface Conn {
  sock: Socket;
  open: boolean;
  rx: Buffer;
  tid: number;
  inFlight: Map<number, number>;
}

const TICK_MS = 5;

export async function runModbusStorm(opts: ModbusStormOptions): Promise<ModbusStormResult> {
  const { host, port } = parseTcpUrl(opts.url);
  const n = Math.max(1, opts.connections ?? 2);
  const pdu = opts.pdu ?? readPdu(3, opts.address ?? 0, 1);
  const maxInFlight = opts.maxInFlight ?? 64;
  const errors = new Set<string>();
  const latencies: number[] = [];
  let sent = 0, verified = 0, exceptions = 0, malformed = 0, throttled = 0;

  const conns = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<Conn | undefined>((resolve) => {
        const sock = new Socket();
        const c: Conn = { sock, open: false, rx: Buffer.alloc(0), tid: 0, inFlight: new Map() };
        const t = setTimeout(() => { errors.add('connect timeout'); sock.destroy(); resolve(undefined); }, 2000);
        sock.once('connect', () => { clearTimeout(t); c.open = true; sock.setNoDelay(true); resolve(c); });
        sock.on('error', (e: NodeJS.ErrnoException) => { errors.add(e.code ?? e.message); clearTimeout(t); resolve(undefined); });
        sock.on('close', () => { c.open = false; });
        sock.on('data', (b: Buffer) => {
          c.rx = c.rx.length ? Buffer.concat([c.rx, b]) : b;
          while (c.rx.length >= 7) {
            const len = c.rx.readUInt16BE(4);
            if (c.rx.readUInt16BE(2) !== 0 || len < 2 || len > 254) { malformed++; errors.add('bad MBAP header'); c.rx = Buffer.alloc(0); return; }
            if (c.rx.length < 6 + len) return;
            const tid = c.rx.readUInt16BE(0);
            const resp = c.rx.subarray(7, 6 + len);
            c.rx = c.rx.subarray(6 + len);
            const at = c.inFlight.get(tid);
            if (at === undefined) { malformed++; continue; }
            c.inFlight.delete(tid);
            latencies.push(performance.now() - at);
            const chk = checkResponse(pdu, Buffer.from(resp));
            if (chk.ok) verified++;
            else if (chk.kind === 'exception') exceptions++;
            else malformed++;
          }
        });
        sock.connect({ host, port });
      }),
    ),
  );
  const live = conns.filter((c): c is Conn => c !== undefined);

  const t0 = performance.now();
  let rr = 0;
  if (live.length) {
    await new Promise<void>((resolve) => {
      const step = () => {
        const now = performance.now();
        const elapsed = now - t0;
        if (elapsed >= opts.durationMs || opts.signal?.aborted || !live.some((c) => c.open)) return resolve();
        const due = Math.floor((Math.min(elapsed, opts.durationMs) / 1000) * opts.ratePerSec);
        while (sent + throttled < due) {
          let c: Conn | undefined;
          for (let i = 0; i < live.length && !c; i++) {
            const k = live[(rr + i) % live.length]!;
            if (k.open && k.inFlight.size < maxInFlight) c = k;
          }
          rr++;
          if (!c) { throttled++; continue; }
          c.tid = (c.tid + 1) & 0xffff;
          c.inFlight.set(c.tid, performance.now());
          c.sock.write(mbapFrame(c.tid, opts.unitId, pdu));
          sent++;
        }
        setTimeout(step, TICK_MS);
      };
      step();
    });
  }
  const sendEnd = performance.now();
  // Let the answers to the last requests arrive before judging.
  const drainUntil = sendEnd + (opts.drainMs ?? 500);
  while (performance.now() < drainUntil && live.some((c) => c.open && c.inFlight.size > 0) && !opts.signal?.aborted) await new Promise((r) => setTimeout(r, 10));
  const unanswered = live.reduce((a, c) => a + c.inFlight.size, 0);
  for (const c of live) c.sock.destroy();
  const elapsedMs = Math.max(1, sendEnd - t0);
  return {
    requestedRate: opts.ratePerSec,
    connections: n,
    connected: live.length,
    sent,
    verifiedResponses: verified,
    exceptions,
    malformed,
    unanswered,
    throttled,
    elapsedMs: Math.round(elapsedMs),
    achievedRate: Math.round((sent * 1000) / elapsedMs),
    verifiedRate: Math.round((verified * 1000) / elapsedMs),
    latencyP50Ms: round2(percentile(latencies, 50)),
    latencyP95Ms: round2(percentile(latencies, 95)),
    errors: [...errors].slice(0, 5),
  };
}
