/**
 * Fixed-rate sampler over the independent monitor channel: one connection, reads issued on a
 * drift-corrected setTimeout chain (tick k is due at start + k·period, so lateness never
 * accumulates; ticks missed while a read was slow are skipped and counted, never bunched).
 * It does not spin: the device under test may share this event loop (in-process simulator).
 * Achieved period and jitter are measured from the issue times of the reads, and every sample
 * carries its own lateness against the schedule (see MonitorSample.lateMs). Scenarios run it off
 * their event loop through startSamplerThread (sampler-thread.ts); this loop is what that worker runs.
 */
import type { EvidenceLog } from '../evidence/evidence-log.js';
import type { OpOptions } from '../protocols/transport/channel.js';
import type { MonitorRead } from '../protocols/monitor/monitor-channel.js';
import { SampleBatcher } from './sample-batcher.js';
import type { MonitorSample } from './sample.js';
import { mean, percentile, round2 } from './stats.js';

/** What the sampler reads from: the FieldMonitor, or a fake in unit tests. */
export interface MonitorSource {
  readAll(opts?: OpOptions): Promise<MonitorRead>;
  readonly pointNames: string[];
}

export interface SamplerOptions {
  source: MonitorSource;
  /** Target period (ms); 10 ms against the simulator. */
  periodMs: number;
  /** Per-read deadline (ms); default 4 periods, at least 100 ms. */
  readTimeoutMs?: number;
  /** When given, samples go into the evidence as batched 'sample' records. */
  evidence?: EvidenceLog;
  batchMs?: number;
  conn?: string;
  /** Stops the sampler (e.g. the scenario's budget). */
  signal?: AbortSignal;
  /** Clock (ms); performance.now() by default. */
  now?: () => number;
  /** Called with every sample as it is taken (the worker forwards them to the scenario's thread). */
  onSample?: (s: MonitorSample) => void;
}

export interface SamplerStats {
  periodMs: number;
  samples: number;
  failedReads: number;
  /** Ticks skipped because a read outlasted its slot. */
  missedTicks: number;
  achievedPeriodMs: number | null;
  jitterP50Ms: number | null;
  jitterP95Ms: number | null;
  jitterP99Ms: number | null;
  maxIntervalMs: number | null;
  readP95Ms: number | null;
  /** The sampler's own lateness against its schedule (MonitorSample.lateMs). */
  lateP95Ms: number | null;
  lateMaxMs: number | null;
}

export interface Sampler {
  readonly samples: readonly MonitorSample[];
  /** The sampler's clock (same as performance.now() unless injected). */
  now(): number;
  /** Resolves with the first sample (from now on) that satisfies `pred`, or undefined after timeoutMs. */
  waitFor(pred: (s: MonitorSample) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<MonitorSample | undefined>;
  stats(): SamplerStats;
  /** Stops after the read in flight; flushes the evidence batch. Idempotent. */
  stop(): Promise<SamplerStats>;
}

export function startSampler(opts: SamplerOptions): Sampler {
  const now = opts.now ?? (() => performance.now());
  const period = opts.periodMs;
  const readTimeoutMs = opts.readTimeoutMs ?? Math.max(100, 4 * period);
  const samples: MonitorSample[] = [];
  const waiters = new Set<(s: MonitorSample) => void>();
  const batcher = opts.evidence ? new SampleBatcher({ evidence: opts.evidence, points: opts.source.pointNames, batchMs: opts.batchMs, conn: opts.conn }) : undefined;
  const stopCtl = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stopCtl.signal]) : stopCtl.signal;
  let missedTicks = 0;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const loop = (async () => {
    const start = now();
    let k = 0;
    // The slot this read belongs to: the one after the previous sample's slot, before any skipping.
    let slot = start;
    while (!signal.aborted) {
      const t = now();
      const lateMs = Math.max(0, t - slot);
      let s: MonitorSample;
      try {
        const r = await opts.source.readAll({ signal, timeoutMs: readTimeoutMs });
        s = r.ok ? { t, ok: true, values: r.values, readMs: now() - t, lateMs } : { t, ok: false, values: {}, readMs: now() - t, error: `${r.kind}: ${r.message}`, lateMs };
      } catch (e) {
        if (signal.aborted) break;
        s = { t, ok: false, values: {}, readMs: now() - t, error: (e as Error).message, lateMs };
      }
      samples.push(s);
      batcher?.add(s);
      opts.onSample?.(s);
      for (const w of [...waiters]) w(s);
      k++;
      slot = start + k * period;
      let due = slot;
      const n = now();
      if (due < n) {
        const skip = Math.ceil((n - due) / period);
        missedTicks += skip;
        k += skip;
        due = start + k * period;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.max(0, due - now()));
      });
      wake = undefined;
    }
  })();

  const stats = (): SamplerStats => samplerStats(samples, period, missedTicks);

  let stopping: Promise<SamplerStats> | undefined;
  return {
    samples,
    now,
    stats,
    waitFor: (pred, timeoutMs, waitSignal) => waitForSample(waiters, pred, timeoutMs, waitSignal),
    stop() {
      stopping ??= (async () => {
        stopCtl.abort();
        clearTimeout(timer);
        wake?.();
        await loop;
        batcher?.flush();
        return stats();
      })();
      return stopping;
    },
  };
}

/** Period, jitter, read time and lateness figures of a sample series. */
export function samplerStats(samples: readonly MonitorSample[], period: number, missedTicks: number): SamplerStats {
  const intervals: number[] = [];
  for (let i = 1; i < samples.length; i++) intervals.push(samples[i]!.t - samples[i - 1]!.t);
  const jitter = intervals.map((d) => Math.abs(d - period));
  const late = samples.map((s) => s.lateMs ?? 0);
  return {
    periodMs: period,
    samples: samples.length,
    failedReads: samples.filter((s) => !s.ok).length,
    missedTicks,
    achievedPeriodMs: round2(mean(intervals)),
    jitterP50Ms: round2(percentile(jitter, 50)),
    jitterP95Ms: round2(percentile(jitter, 95)),
    jitterP99Ms: round2(percentile(jitter, 99)),
    maxIntervalMs: round2(intervals.length ? Math.max(...intervals) : undefined),
    readP95Ms: round2(percentile(samples.map((s) => s.readMs), 95)),
    lateP95Ms: round2(percentile(late, 95)),
    lateMaxMs: round2(late.length ? Math.max(...late) : undefined),
  };
}

/** The first sample from now on that satisfies `pred`, or undefined after timeoutMs or on abort. */
export function waitForSample(
  waiters: Set<(s: MonitorSample) => void>,
  pred: (s: MonitorSample) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<MonitorSample | undefined> {
  return new Promise((resolve) => {
    let t: NodeJS.Timeout | undefined;
    const done = (s: MonitorSample | undefined) => {
      waiters.delete(onSample);
      clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      resolve(s);
    };
    const onSample = (s: MonitorSample) => { if (pred(s)) done(s); };
    const onAbort = () => done(undefined);
    waiters.add(onSample);
    t = setTimeout(() => done(undefined), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) done(undefined);
  });
}
