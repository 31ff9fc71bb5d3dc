/**
 * The Modbus storm over several worker threads, one per core, when more is in flight than one event
 * loop can keep fed: the connections and the asked rate are split evenly, each worker runs the same
 * generator on its share, and the results are summed (latency percentiles over all answers, whose
 * samples the workers hand back as transferred arrays).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { siblingModuleUrl, workerEntrySource } from '../core/module-tree.js';
import { round2 } from '../monitor/stats.js';
import type { ModbusStormOptions, ModbusStormResult } from './modbus-storm-types.js';

/** Requests in flight above which one thread cannot keep the device busy (measured: bench figure 2). */
export const WORKER_IN_FLIGHT_THRESHOLD = 1024;

/** Marks this module's own workers (other workers, a test pool's, may import it too). */
export const SHARE_MARK = 'hilModbusStormShare';
/** The worker's module, next to this one, in the tree that runs (sources or compiled). */
const BOOT = workerEntrySource(siblingModuleUrl(import.meta.url, 'storm-worker-entry'));

export interface WorkerShare {
  result: ModbusStormResult;
  latencies: Float64Array;
}

/** Workers to use: 1 unless more than the threshold is in flight; never more than cores or connections. */
export function stormWorkers(connections: number, maxInFlight: number, asked?: number): number {
  if (asked !== undefined) return Math.max(1, Math.min(asked, connections));
  if (connections * maxInFlight <= WORKER_IN_FLIGHT_THRESHOLD) return 1;
  return Math.max(1, Math.min(availableParallelism(), connections));
}

function sumShares(opts: ModbusStormOptions, shares: WorkerShare[]): ModbusStormResult {
  const rs = shares.map((s) => s.result);
  const sum = (k: keyof ModbusStormResult) => rs.reduce((a, r) => a + (r[k] as number), 0);
  const elapsedMs = Math.max(...rs.map((r) => r.elapsedMs), 1);
  const all = new Float64Array(shares.reduce((a, s) => a + s.latencies.length, 0));
  let at = 0;
  for (const s of shares) {
    all.set(s.latencies, at);
    at += s.latencies.length;
  }
  all.sort();
  const pct = (p: number) => (all.length ? all[Math.min(all.length, Math.max(1, Math.ceil((p / 100) * all.length))) - 1] : undefined);
  return {
    requestedRate: opts.ratePerSec,
    connections: sum('connections'),
    connected: sum('connected'),
    sent: sum('sent'),
    verifiedResponses: sum('verifiedResponses'),
    exceptions: sum('exceptions'),
    malformed: sum('malformed'),
    unanswered: sum('unanswered'),
    throttled: sum('throttled'),
    elapsedMs,
    achievedRate: Math.round((sum('sent') * 1000) / elapsedMs),
    verifiedRate: Math.round((sum('verifiedResponses') * 1000) / elapsedMs),
    latencyP50Ms: round2(pct(50)),
    latencyP95Ms: round2(pct(95)),
    errors: [...new Set(rs.flatMap((r) => r.errors))].slice(0, 5),
  };
}

/** Runs the storm split over `workers` threads (the caller has decided that more than one pays). */
export async function runStormInWorkers(opts: ModbusStormOptions, workers: number): Promise<ModbusStormResult> {
  const n = Math.max(1, opts.connections ?? 2);
  const { signal, ...plain } = opts;
  const shares = await Promise.all(
    Array.from({ length: workers }, (_, i) => {
      const conns = Math.floor(((i + 1) * n) / workers) - Math.floor((i * n) / workers);
      const part: ModbusStormOptions = { ...plain, connections: conns, ratePerSec: (opts.ratePerSec * conns) / n, workers: 1 };
      return new Promise<WorkerShare>((resolve, reject) => {
        const w = new Worker(BOOT, { eval: true, workerData: { [SHARE_MARK]: true, ...part } });
        const stop = () => w.postMessage('abort');
        signal?.addEventListener('abort', stop, { once: true });
        w.once('message', (s: WorkerShare) => resolve(s));
        w.once('error', reject);
        w.once('exit', (code) => {
          signal?.removeEventListener('abort', stop);
          if (code !== 0) reject(new Error(`storm worker exited ${code}`));
        });
      });
    }),
  );
  return sumShares(opts, shares);
}
