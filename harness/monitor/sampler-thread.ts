/**
 * The safe-state sampler off the scenario's event loop: a worker thread with its own monitor
 * connection runs the fixed-rate sampler (sampler-worker.ts) and posts every sample back. Here,
 * on the scenario's thread, the samples are put on this thread's clock, kept for the invariants
 * and batched into the evidence; a stall of this thread delays when a sample arrives, never when
 * it was taken. Each sample carries the sampler's own lateness (MonitorSample.lateMs).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EvidenceLog } from '../evidence/evidence-log.js';
import type { MonitorChannel as MonitorConfig } from '../profile/target-schema.js';
import { SampleBatcher } from './sample-batcher.js';
import type { MonitorSample } from './sample.js';
import { samplerStats, waitForSample, type Sampler, type SamplerStats } from './sampler.js';
import type { SamplerThreadInit, SamplerThreadMessage } from './sampler-thread-protocol.js';

export interface SamplerThreadOptions {
  /** The profile's monitor section: the thread opens its own connection to it. */
  monitor: MonitorConfig;
  periodMs: number;
  readTimeoutMs?: number;
  evidence?: EvidenceLog;
  batchMs?: number;
  conn?: string;
  signal?: AbortSignal;
}

/** How long stop() waits for the thread to finish its read in flight before terminating it. */
const STOP_GRACE_MS = 3000;

/**
 * The worker runs TypeScript through tsx's API: loader hooks registered in this thread (bin/hil.js,
 * vitest) do not reach a worker, so the worker registers its own before importing its body.
 */
function workerBoot(): string {
  // The ESM entry of tsx's API, as its package.json declares it (require.resolve would give the CJS one).
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const tsxApi = pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
  const body = fileURLToPath(new URL('./sampler-worker.ts', import.meta.url));
  return `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${JSON.stringify(body)}, ${JSON.stringify(import.meta.url)}))`;
}

export function startSamplerThread(opts: SamplerThreadOptions): Sampler {
  const now = () => performance.now();
  const samples: MonitorSample[] = [];
  const waiters = new Set<(s: MonitorSample) => void>();
  const batcher = opts.evidence ? new SampleBatcher({ evidence: opts.evidence, points: Object.keys(opts.monitor.points), batchMs: opts.batchMs, conn: opts.conn }) : undefined;
  const init: SamplerThreadInit = { monitor: opts.monitor, periodMs: opts.periodMs, readTimeoutMs: opts.readTimeoutMs };
  const worker = new Worker(workerBoot(), { eval: true, workerData: init });
  worker.unref();
  let missedTicks = 0;
  let stoppedMsg: (() => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const take = (s: MonitorSample) => {
    samples.push(s);
    batcher?.add(s);
    for (const w of [...waiters]) w(s);
  };
  worker.on('message', (m: SamplerThreadMessage) => {
    if (m.type === 'sample') take({ ...m.sample, t: m.sample.t - performance.timeOrigin });
    else if (m.type === 'stopped') {
      missedTicks = m.missedTicks;
      stoppedMsg?.();
    }
  });
  // A broken thread is a harness failure: it shows as a failed read, so nothing is judged on silence.
  worker.on('error', (e) => take({ t: now(), ok: false, values: {}, readMs: 0, error: `sampler thread failed: ${e.message}` }));

  const stats = (): SamplerStats => samplerStats(samples, opts.periodMs, missedTicks);
  let stopping: Promise<SamplerStats> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      opts.signal?.removeEventListener('abort', onAbort);
      const stopped = new Promise<void>((resolve) => { stoppedMsg = resolve; });
      worker.postMessage({ type: 'stop' });
      const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
      await Promise.race([stopped, exited, grace]);
      await worker.terminate();
      batcher?.flush();
      return stats();
    })());
  const onAbort = () => void stop();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    samples,
    now,
    stats,
    waitFor: (pred, timeoutMs, signal) => waitForSample(waiters, pred, timeoutMs, signal),
    stop,
  };
}
