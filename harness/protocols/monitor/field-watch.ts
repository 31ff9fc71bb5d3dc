import { engineeringValue, type FieldMonitor } from './monitor-channel.js';
import type { MonitorChannel } from '../../profile/target-schema.js';
import { sleep } from '../../core/deadline.js';

/** What the independent monitor showed for one point during a watch window. */
export interface FieldWatchResult {
  /** Engineering values read, in order. */
  values: number[];
  /** The first value that satisfied `until`, if any. */
  hit?: number;
  /** Reads that failed (the monitor itself did not answer). */
  failures: number;
}

/** Engineering value of a monitor point from its raw register, as a number (booleans as 0/1). */
export function monitorEngineering(cfg: MonitorChannel, point: string, raw: number | boolean): number {
  const v = engineeringValue(cfg.points[point]?.scale ?? 1, raw);
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/**
 * Poll one monitor point for `windowMs` (at least one read), stopping early when `until` holds.
 * Used right after a write: the simulator-style watchdog drives outputs to the safe state when the
 * master goes quiet, so the effect of a write is visible only promptly and must be looked for at once.
 */
export async function watchMonitorPoint(
  monitor: FieldMonitor,
  cfg: MonitorChannel,
  point: string,
  opts: { windowMs: number; intervalMs?: number; until?: (v: number) => boolean; signal?: AbortSignal },
): Promise<FieldWatchResult> {
  const out: FieldWatchResult = { values: [], failures: 0 };
  const end = Date.now() + opts.windowMs;
  do {
    const r = await monitor.readPoint(point, { signal: opts.signal, timeoutMs: cfg.timeoutMs });
    if (r.ok && r.raw[point] !== undefined) {
      const v = monitorEngineering(cfg, point, r.raw[point]!);
      out.values.push(v);
      if (opts.until?.(v)) {
        out.hit = v;
        return out;
      }
    } else out.failures += 1;
    if (Date.now() >= end) break;
    await sleep(Math.min(opts.intervalMs ?? 50, Math.max(0, end - Date.now())), opts.signal);
  } while (Date.now() < end);
  return out;
}
