/**
 * Modbus TCP request flood at a target rate over several connections, pipelined (several
 * transactions in flight per connection, told apart by transaction id), with every response
 * verified against its request. Reports what was really sent and answered, not what was asked:
 * a request is only sent when its connection has room (at most `maxInFlight` outstanding), so an
 * overwhelmed device lowers the achieved rate instead of growing an unbounded queue here.
 * Written on raw sockets (no per-frame evidence: one summary per step is logged by the caller).
 * The pace is a closed loop: answers free room and are refilled at once, in one write per
 * connection (storm-connection.ts); the timer only starts sends the schedule allows.
 */
import { Socket } from 'node:net';
import { parseTcpUrl } from '../protocols/transport/channel.js';
import { readPdu } from '../protocols/modbus/modbus-codec.js';
import { round2 } from '../monitor/stats.js';
import { newCounters, StormConnection } from './storm-connection.js';
import { stormVerifier } from './storm-verify.js';
import type { ModbusStormOptions, ModbusStormResult } from './modbus-storm-types.js';
import { runStormInWorkers, stormWorkers } from './storm-workers.js';

export type { ModbusStormOptions, ModbusStormResult } from './modbus-storm-types.js';

const TICK_MS = 5;

export async function runModbusStorm(opts: ModbusStormOptions): Promise<ModbusStormResult> {
  const workers = stormWorkers(Math.max(1, opts.connections ?? 2), Math.min(opts.maxInFlight ?? 64, 4096), opts.workers);
  if (workers > 1) return runStormInWorkers(opts, workers);
  return (await runModbusStormHere(opts)).result;
}

/** The storm on this thread; also returns the latency samples (for the worker split to merge). */
export async function runModbusStormHere(opts: ModbusStormOptions): Promise<{ result: ModbusStormResult; latencies: Float64Array }> {
  const { host, port } = parseTcpUrl(opts.url);
  const n = Math.max(1, opts.connections ?? 2);
  const pdu = opts.pdu ?? readPdu(3, opts.address ?? 0, 1);
  const maxInFlight = Math.min(opts.maxInFlight ?? 64, 4096);
  const verify = stormVerifier(pdu);
  const c = newCounters();
  let t0 = 0;
  let sending = false;
  // Requests the schedule allows by `now`, minus those already sent (the rate is an upper bound).
  const budget = (now: number) => Math.floor(((now - t0) / 1000) * opts.ratePerSec) - c.sent;
  // Refill a connection as soon as its answers free room: a closed loop, not a 5 ms tick, sets the pace.
  const refill = (k: StormConnection) => {
    if (!sending) return;
    const now = performance.now();
    k.send(Math.min(k.room, budget(now)), now);
  };

  const conns = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<StormConnection | undefined>((resolve) => {
        const sock = new Socket();
        const k = new StormConnection(sock, opts.unitId, pdu, maxInFlight, verify, c, refill);
        const t = setTimeout(() => { c.errors.add('connect timeout'); sock.destroy(); resolve(undefined); }, 2000);
        sock.once('connect', () => { clearTimeout(t); k.open = true; sock.setNoDelay(true); resolve(k); });
        sock.on('error', (e: NodeJS.ErrnoException) => { c.errors.add(e.code ?? e.message); clearTimeout(t); resolve(undefined); });
        sock.on('close', () => { k.open = false; });
        sock.connect({ host, port });
      }),
    ),
  );
  const live = conns.filter((k): k is StormConnection => k !== undefined);

  t0 = performance.now();
  if (live.length) {
    sending = true;
    await new Promise<void>((resolve) => {
      let rr = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        if (now - t0 >= opts.durationMs || opts.signal?.aborted || !live.some((k) => k.open)) {
          sending = false;
          clearInterval(tick);
          return resolve();
        }
        // Spread what the schedule allows over the connections with room, starting round-robin.
        for (let i = 0; i < live.length; i++) {
          const k = live[(rr + i) % live.length]!;
          const b = budget(now);
          if (b <= 0) break;
          k.send(Math.min(k.room, b), now);
        }
        rr++;
      }, TICK_MS);
    });
  }
  const sendEnd = performance.now();
  // Let the answers to the last requests arrive before judging.
  const drainUntil = sendEnd + (opts.drainMs ?? 500);
  while (performance.now() < drainUntil && live.some((k) => k.open && k.inFlight > 0) && !opts.signal?.aborted) await new Promise((r) => setTimeout(r, 10));
  const unanswered = live.reduce((a, k) => a + k.inFlight, 0) + c.lost;
  for (const k of live) k.sock.destroy();
  const elapsedMs = Math.max(1, sendEnd - t0);
  // What the schedule asked for but no connection had room to send.
  const throttled = live.length ? Math.max(0, Math.floor((Math.min(elapsedMs, opts.durationMs) / 1000) * opts.ratePerSec) - c.sent) : 0;
  const result: ModbusStormResult = {
    requestedRate: opts.ratePerSec,
    connections: n,
    connected: live.length,
    sent: c.sent,
    verifiedResponses: c.verified,
    exceptions: c.exceptions,
    malformed: c.malformed,
    unanswered,
    throttled,
    elapsedMs: Math.round(elapsedMs),
    achievedRate: Math.round((c.sent * 1000) / elapsedMs),
    verifiedRate: Math.round((c.verified * 1000) / elapsedMs),
    latencyP50Ms: round2(c.latencies.percentile(50)),
    latencyP95Ms: round2(c.latencies.percentile(95)),
    errors: [...c.errors].slice(0, 5),
  };
  return { result, latencies: c.latencies.values() };
}
