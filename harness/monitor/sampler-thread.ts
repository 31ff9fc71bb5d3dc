/**
 * The safe-state sampler off the scenario's event loop: a worker thread with its own monitor
 * connection runs the fixed-rate sampler (sampler-worker.ts) and posts every sample back. Here,
 * on the scenario's thread, the samples are put on this thread's clock, kept for the invariants
 * and batched into the evidence; a stall of this thread delays when a sample arrives, never when
 * it was taken. Each sample carries the sampler's own lateness (MonitorSample.lateMs).
 */
import { Worker } from 'node:worker_threads';
import { siblingModuleUrl, workerEntrySource } from '../core/module-tree.js';
import type { MonitorChannel as MonitorConfig } from '../profile/target-schema.js';
import { SampleBatcher } from './sample-batcher.js';
import type { MonitorSample } from './sample.js';
import { samplerStats, waitForSample, type Sampler, type SamplerOptions, type SamplerStats } from './sampler.js';
import type { SamplerThreadInit, SamplerThreadMessage } from './sampler-thread-protocol.js';

/** The in-process sampler's options, but the thread reads the monitor itself and keeps its own clock. */
export interface SamplerThreadOptions extends Omit<SamplerOptions, 'source' | 'now' | 'onSample'> {
  /** The profile's monitor section: the thread opens its own connection to it. */
  monitor: MonitorConfig;
}

/** Longest start-up of the thread a wait tolerates before its own timeout starts anyway. */
const START_BOUND_MS = 30_000;

function boundedStart(started: Promise<void>, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, START_BOUND_MS);
    const done = () => { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); };
    signal?.addEventListener('abort', done, { once: true });
    void started.then(done);
  });
}

/** How long stop() waits for the thread to finish its read in flight before terminating it. */
const STOP_GRACE_MS = 3000;

export function startSamplerThread(opts: SamplerThreadOptions): Sampler {
  const now = () => performance.now();
  const samples: MonitorSample[] = [];
  const waiters = new Set<(s: MonitorSample) => void>();
  const batcher = opts.evidence ? new SampleBatcher({ evidence: opts.evidence, points: Object.keys(opts.monitor.points), batchMs: opts.batchMs, conn: opts.conn }) : undefined;
  const init: SamplerThreadInit = { monitor: opts.monitor, periodMs: opts.periodMs, readTimeoutMs: opts.readTimeoutMs };
  const worker = new Worker(workerEntrySource(siblingModuleUrl(import.meta.url, 'sampler-worker')), { eval: true, workerData: init });
  worker.unref();
  let missedTicks = 0;
  let stoppedMsg: (() => void) | undefined;
  let onStarted: () => void = () => {};
  // The thread's start-up (loading its modules) is the harness's time: waits start counting after it.
  const started = new Promise<void>((resolve) => { onStarted = resolve; });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const take = (s: MonitorSample) => {
    samples.push(s);
    batcher?.add(s);
    for (const w of [...waiters]) w(s);
  };
  worker.on('message', (m: SamplerThreadMessage) => {
    if (m.type === 'started') {
      opts.evidence?.event('monitor', `sampler thread started (period ${opts.periodMs} ms${m.raisedPriority ? ', raised priority' : ''})`);
      onStarted();
    } else if (m.type === 'sample') take({ ...m.sample, t: m.sample.t - performance.timeOrigin });
    else if (m.type === 'stopped') {
      missedTicks = m.missedTicks;
      stoppedMsg?.();
    }
  });
  // A broken thread is a harness failure: it shows as a failed read, so nothing is judged on silence.
  worker.on('error', (e) => {
    onStarted();
    take({ t: now(), ok: false, values: {}, readMs: 0, error: `sampler thread failed: ${e.message}` });
  });
  void exited.then(onStarted);

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
    async waitFor(pred, timeoutMs, signal) {
      await boundedStart(started, signal);
      return waitForSample(waiters, pred, timeoutMs, signal);
    },
    stop,
  };
}
