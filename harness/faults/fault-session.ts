/**
 * Everything a safe-state fault scenario needs around its fault: the harness as the Modbus
 * master (device in normal, watched operation), the independent monitor sampling at a fixed
 * rate into the evidence, and the positive control that must hold before any fault means
 * anything: outputs at commanded values that differ from their safe values, the heartbeat
 * running, the monitor answering. evaluate() judges the invariants over the windows and returns
 * the monitor's findings for the scenario to record. Everything changed is restored at teardown.
 */
import { safeStateDeadlineMs } from '../profile/safe-state-timing.js';
import { ModbusChannel } from '../protocols/modbus/modbus-channel.js';
import { FieldMonitor } from '../protocols/monitor/monitor-channel.js';
import { Findings, type Judgement } from '../core/finding.js';
import type { TargetProfile } from '../profile/target-schema.js';
import { analyseHeartbeat, type HeartbeatSpec } from '../monitor/invariants/heartbeat-alive.js';
import { near, type OutputExpectation } from '../monitor/invariants/invariant.js';
import { summaryFindings } from '../monitor/summary-findings.js';
import { valueOf, type MonitorSample } from '../monitor/sample.js';
import type { Sampler, SamplerStats } from '../monitor/sampler.js';
import { startSamplerThread } from '../monitor/sampler-thread.js';
import { evaluateFaultRun, type FaultExpectation, type MonitorSummary } from '../monitor/summary.js';
import type { FaultScene } from './fault-scene.js';
import { FaultTimeline } from './fault-timeline.js';
import { faultsConfig } from './faults-config.js';
import { masterPoints, ModbusMaster, type MasterPoint } from './modbus-master.js';

export type SafeStatePolicy = NonNullable<TargetProfile['policy']['safeState']>;

export interface FaultSessionOptions {
  /** Master cycle (ms); default min(200, watchdog/4). */
  masterPeriodMs?: number;
  /** Length of the pre-window baseline (ms); default preWindowMs(safeState). */
  preMs?: number;
  /** The scenario's sink (`ctx.judge`): controls taken before a throw are kept. */
  out?: Findings;
}

/** Heartbeat-less devices: the baseline spans as many of these as it would heartbeat periods. */
const NO_HEARTBEAT_PERIOD_MS = 100;
/** Shortest baseline worth judging, and shortest wait for commanded values to show. */
const MIN_WINDOW_MS = 1000;
const MIN_SETTLE_MS = 2000;

/** The pre-fault baseline: ten heartbeat periods, at least MIN_WINDOW_MS. */
export function preWindowMs(ss: SafeStatePolicy): number {
  return Math.max(MIN_WINDOW_MS, 10 * (ss.heartbeat?.periodMs ?? NO_HEARTBEAT_PERIOD_MS));
}

/** Why a target cannot run a safe-state fault scenario (for notApplicableWhen). */
export function safeStateNotApplicable(t: TargetProfile): string | undefined {
  if (!t.policy.safeState) return 'the profile declares no safe-state policy (policy.safeState)';
  if (!t.monitor) return 'the profile declares no independent monitor channel to observe the outputs';
  if (!t.interfaces.modbus?.tcp) return 'the harness acts as the Modbus TCP master and the profile declares no modbus.tcp interface';
  const missing = [...t.policy.safeState.outputs.map((o) => o.point), ...(t.policy.safeState.heartbeat ? [t.policy.safeState.heartbeat.point] : [])].filter((p) => !t.monitor!.points[p]);
  if (missing.length) return `safe-state points not on the monitor: ${missing.join(', ')}`;
  return undefined;
}

/** Budget for one fault cycle from the declared timings (pre + fault + post + slack). */
export function faultCycleMs(ss: SafeStatePolicy, faultMs: number): number {
  return 1000 + preWindowMs(ss) + faultMs + ss.recoveryMs + 2000;
}

export class FaultSession {
  private constructor(
    readonly scene: FaultScene,
    readonly safeState: SafeStatePolicy,
    readonly master: ModbusMaster,
    readonly monitor: FieldMonitor,
    readonly sampler: Sampler,
    /** Outputs with the normal values observed in the baseline. */
    readonly outputs: OutputExpectation[],
    readonly heartbeat: HeartbeatSpec | undefined,
    readonly preMs: number,
  ) {}

  /**
   * Open the master and the monitor, command non-safe values, start sampling and take the
   * positive controls. The session is the judgement's value only when every control held; the
   * scenario records the controls (`ctx.judge`), which stops it when one failed.
   */
  static async open(ctx: FaultScene, opts: FaultSessionOptions = {}): Promise<Judgement<FaultSession>> {
    const t = ctx.target;
    const ss = t.policy.safeState!;
    const fc = faultsConfig(t);
    const hb: HeartbeatSpec | undefined = ss.heartbeat
      ? {
          point: ss.heartbeat.point, periodMs: ss.heartbeat.periodMs, jitterToleranceMs: ss.heartbeat.jitterToleranceMs,
          ...(ss.heartbeat.minWithinTolerancePct !== undefined ? { minWithinFraction: ss.heartbeat.minWithinTolerancePct / 100 } : {}),
          ...(ss.heartbeat.maxOutageMs !== undefined ? { maxOutageMs: ss.heartbeat.maxOutageMs } : {}),
          maxUnobservedPct: fc.monitorMaxUnobservedPct,
        }
      : undefined;
    const preMs = opts.preMs ?? preWindowMs(ss);
    const f = new Findings(opts.out);

    const channel = ctx.track(await ModbusChannel.open(t.interfaces.modbus!, 'tcp', ctx.channelCtx));
    const master = new ModbusMaster(channel, masterPoints(t), { periodMs: opts.masterPeriodMs ?? Math.min(200, Math.floor(ss.watchdogMs / 4)), signal: ctx.signal });
    const original = await master.readConfig();
    const unreadable = Object.entries(original).filter(([, v]) => v === null).map(([k]) => k);
    const readable = f.control('master reads the declared points', {
      passed: unreadable.length === 0,
      actual: original,
      reason: `the main Modbus interface does not answer reads of ${unreadable.join(', ')} (${master.stats.lastError ?? 'no detail'})`,
      onFail: 'ERROR',
    });
    if (!readable) return f.halted();

    // Command, for every safe-state output driven by a declared point, a value away from its safe value.
    for (const rule of ss.outputs) {
      const p = master.points.find((x) => x.monitor === rule.point);
      if (!p) continue;
      const v = commandableValue(p, original[p.name]!, rule.safeValue, rule.tolerance);
      if (v !== undefined) master.commanded.set(p.name, v);
    }
    ctx.defer('restore commanded values', async () => {
      await master.stop();
      for (const name of master.commanded.keys()) {
        const r = await master.write(name, original[name]!);
        ctx.log(`restored ${name}=${original[name]} (${r.ok ? 'ok' : r.message})`);
      }
    });

    const monitor = ctx.track(await FieldMonitor.open(t.monitor!, ctx.channelCtx, { log: 'none' }));
    // Off this event loop: a busy scenario must not make the device look stalled (the sampler measures its own lateness).
    const sampler = startSamplerThread({ monitor: t.monitor!, periodMs: fc.monitorPeriodMs, evidence: ctx.evidence, signal: ctx.signal, conn: 'monitor-sampler' });
    ctx.defer('stop monitor sampler', async () => { await sampler.stop(); });
    master.start();

    // Positive control: the commanded values show in the field and the device is not in its safe state.
    const cmdOutputs = ss.outputs.map((r) => ({ rule: r, point: master.points.find((x) => x.monitor === r.point) }));
    const settleMs = Math.max(MIN_SETTLE_MS, ss.reactionMs + ss.watchdogMs);
    const settled = await sampler.waitFor(
      (s) => s.ok && cmdOutputs.every(({ rule, point }) => !point || !master.commanded.has(point.name) || near(valueOf(s, rule.point) ?? NaN, master.commanded.get(point.name)!, rule.tolerance)),
      settleMs,
      ctx.signal,
    );
    const lastRead = sampler.samples.at(-1);
    const visible = f.control('commanded values visible on the monitor', {
      passed: settled !== undefined,
      actual: lastRead?.ok ? lastRead.values : (lastRead?.error ?? 'no monitor sample'),
      reason: lastRead?.ok
        ? `the monitor does not show the commanded values (${[...master.commanded].map(([k, v]) => `${k}=${v}`).join(', ')}) within ${settleMs} ms`
        : `the independent monitor does not answer (${lastRead?.error ?? 'no sample'})`,
    });
    if (!visible) return f.halted();
    const preStart = sampler.now();
    await ctx.sleep(preMs);
    const pre = sampler.samples.filter((s) => s.t >= preStart && s.ok);
    const baseline = pre.at(-1);
    if (!f.control('monitor samples the baseline', { passed: baseline !== undefined && pre.length >= Math.min(10, preMs / 100), actual: `${pre.length} samples`, reason: 'the monitor gave too few samples in the pre-fault window' })) return f.halted();
    const outputs: OutputExpectation[] = ss.outputs.map((r) => ({ point: r.point, normal: valueOf(baseline!, r.point)!, safe: r.safeValue, tolerance: r.tolerance }));
    const distinct = f.control('outputs differ from their safe values in normal operation', {
      passed: outputs.some((o) => !near(o.normal, o.safe, o.tolerance)),
      actual: Object.fromEntries(outputs.map((o) => [o.point, o.normal])),
      reason: 'every safe-state output already shows its safe value in normal operation (and none can be commanded away from it): a safe-state transition would be invisible',
    });
    if (!distinct) return f.halted();
    if (hb) {
      const a = analyseHeartbeat(sampler.samples, preStart, sampler.now(), hb);
      if (!f.control('heartbeat runs before the fault', { passed: a.increments > 0, actual: `${a.increments} increments in ${preMs} ms`, reason: `the heartbeat ${hb.point} does not increment in normal operation` })) return f.halted();
    }
    return f.with(new FaultSession(ctx, ss, master, monitor, sampler, outputs, hb, preMs));
  }

  /** A timeline whose pre-window starts `preMs` before now (the baseline just taken). */
  timeline(fault: string): FaultTimeline {
    const tl = new FaultTimeline(fault, this.scene.evidence, this.sampler.now);
    tl.mark('pre-start', {}, this.sampler.now() - this.preMs);
    return tl;
  }

  /** Sleep for the pre-window again (between consecutive faults). */
  async baseline(): Promise<void> {
    await this.scene.sleep(this.preMs);
  }

  /** Judge one fault's windows: the monitor's measurements, invariant checks and verdict (prefix for several faults). */
  evaluate(tl: FaultTimeline, expectation: FaultExpectation, opts: { config?: { before: Record<string, unknown>; after: Record<string, unknown> }; prefix?: string; samplerStats?: SamplerStats; out?: Findings } = {}): Judgement<MonitorSummary> {
    const summary = evaluateFaultRun({
      samples: this.sampler.samples,
      windows: tl.windows(),
      outputs: this.outputs,
      heartbeat: this.heartbeat,
      expectation,
      // From the last request: watchdog + reaction where the device counts from watchdog expiry.
      reactionMs: safeStateDeadlineMs(this.safeState),
      recoveryMs: this.safeState.recoveryMs,
      config: opts.config,
      sampler: opts.samplerStats ?? this.sampler.stats(),
      maxUnobservedPct: faultsConfig(this.scene.target).monitorMaxUnobservedPct,
    });
    return { findings: summaryFindings(summary, { prefix: opts.prefix, out: opts.out }).findings, value: summary };
  }

  /** Samples taken so far (for scenario-specific checks). */
  get samples(): readonly MonitorSample[] {
    return this.sampler.samples;
  }
}

/**
 * A value in the point's range, away from the safe value, preferably different from the current
 * one (so the positive control proves an in-range write takes effect): mid-range, then the ends,
 * then the current value.
 */
function commandableValue(p: MasterPoint, current: number, safe: number, tol: number): number | undefined {
  const inRange = (v: number) => (p.min === undefined || v >= p.min) && (p.max === undefined || v <= p.max);
  const ok = (v: number) => inRange(v) && Math.abs(v - safe) > Math.max(tol, p.scale);
  const range = p.min !== undefined && p.max !== undefined ? [Math.round((p.min + p.max) / 2), p.max, p.min] : [];
  return range.find((v) => ok(v) && Math.abs(v - current) > Math.max(tol, p.scale)) ?? (ok(current) ? current : undefined);
}
