/**
 * Figure 3 — monitor fidelity: the safe-state monitor's sampler (harness/monitor startSampler over
 * the independent field-monitor channel) at a 10 ms period while a Modbus storm runs against the
 * device's main interface. The storm runs in the same process as the sampler, as it does inside a
 * request-storm scenario, so the figure includes the event-loop contention the harness causes itself.
 * Reference: the same sampler, same device, same run, without the storm (idle baseline).
 *
 * Jitter is |interval − period| per consecutive pair of read issue times (the sampler's own stats);
 * the table quotes p50/p95/p99 and the achieved mean period, each as the median over repetitions.
 */
import { join } from 'node:path';
import { FieldMonitor } from '../harness/protocols/monitor/monitor-channel.js';
import { loadTargetFile } from '../harness/profile/load-target.js';
import type { BenchRow } from './report-table.js';
import { summarize } from './stats.js';
import { stormDriver } from './storm-driver.js';
import { benchChannelCtx, ensureSimSecrets, repoRoot, sleep, startSimChild, type BenchOptions, type FigureResult } from './support.js';

export const MONITOR_PERIOD_MS = 10;
const STORM_CONNECTIONS = 4;

interface Window {
  achieved: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  samples: number;
  failed: number;
  missed: number;
}

export async function benchMonitorFidelity(o: BenchOptions): Promise<FigureResult> {
  const problems: string[] = [];
  const windowMs = o.smoke ? 1500 : 8000;
  const sim = await startSimChild({ opcua: false });
  const ctx = benchChannelCtx(o.workDir, 'monitor');
  const env = { ...process.env, ...ensureSimSecrets(), ...sim.targetEnv };
  const target = loadTargetFile(join(repoRoot, 'targets/sim-hardened.yaml'), env).profile;
  if (!target.monitor) throw new Error('targets/sim-hardened.yaml has no monitor');
  // startSampler may not exist yet in some checkouts: import lazily so the rest of the bench still runs.
  const { startSampler } = (await import('../harness/monitor/sampler.js')) as typeof import('../harness/monitor/sampler.js');
  const driver = await stormDriver(ctx);
  const mon = await FieldMonitor.open(target.monitor, ctx, { log: 'none' });
  const idle: Window[] = [];
  const storm: Window[] = [];
  let stormRate = 0;
  const sample = async (withStorm: boolean): Promise<Window> => {
    const s = startSampler({ source: mon, periodMs: MONITOR_PERIOD_MS });
    let stormP: Promise<unknown> | undefined;
    if (withStorm)
      stormP = driver.run({ url: sim.endpoints.modbusTcp, unitId: 1, durationMs: windowMs + 500, connections: STORM_CONNECTIONS }).then((r) => (stormRate = r.achievedRate));
    await sleep(windowMs);
    const st = await s.stop();
    await stormP;
    return {
      achieved: st.achievedPeriodMs ?? Number.NaN,
      p50: st.jitterP50Ms ?? Number.NaN,
      p95: st.jitterP95Ms ?? Number.NaN,
      p99: st.jitterP99Ms ?? Number.NaN,
      max: st.maxIntervalMs ?? Number.NaN,
      samples: st.samples,
      failed: st.failedReads,
      missed: st.missedTicks,
    };
  };
  try {
    for (let i = 0; i < o.reps; i++) {
      idle.push(await sample(false));
      storm.push(await sample(true));
    }
  } finally {
    await mon.close();
    await sim.stop();
  }
  const failed = storm.reduce((n, w) => n + w.failed, 0);
  if (failed) problems.push(`monitor: ${failed} monitor reads failed during the storm`);
  const row = (id: string, figure: string, pick: (w: Window) => number, extra = ''): BenchRow => {
    const h = { ...summarize(storm.map(pick)), unit: 'ms' };
    const r = { ...summarize(idle.map(pick)), unit: 'ms' };
    return {
      id,
      item: 3,
      figure,
      hil: h,
      referenceName: 'same sampler, no storm',
      reference: r,
      ratio: r.median > 0 ? h.median / r.median : null,
      ratioMeaning: 'storm / idle',
      repetitions: o.reps,
      notes: extra,
    };
  };
  const sum = (ws: Window[], f: (w: Window) => number) => ws.reduce((n, w) => n + f(w), 0);
  return {
    rows: [
      row(
        'monitor.period',
        `Monitor achieved sampling period at ${MONITOR_PERIOD_MS} ms during a Modbus storm`,
        (w) => w.achieved,
        `${windowMs / 1000} s windows; storm: ${driver.name}, ${STORM_CONNECTIONS} connections, ~${Math.round(stormRate)} req/s; samples ${sum(storm, (w) => w.samples)}, missed ticks storm ${sum(storm, (w) => w.missed)} / idle ${sum(idle, (w) => w.missed)}`,
      ),
      row('monitor.jitter-p50', 'Monitor jitter p50 (|interval − 10 ms|)', (w) => w.p50),
      row('monitor.jitter-p95', 'Monitor jitter p95', (w) => w.p95),
      row('monitor.jitter-p99', 'Monitor jitter p99', (w) => w.p99, `max interval: storm ${Math.max(...storm.map((w) => w.max))} ms, idle ${Math.max(...idle.map((w) => w.max))} ms`),
    ],
    problems,
  };
}
