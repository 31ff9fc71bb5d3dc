/**
 * Everything a safe-state fault scenario needs around its fault: the harness as the Modbus
 * master (device in normal, watched operation), the independent monitor sampling at a fixed
 * rate into the evidence, and the positive control that must hold before any fault means
 * anything: outputs at commanded values that differ from their safe values, the heartbeat
 * running, the monitor answering. finish() evaluates the invariants over the windows and
 * records the monitor's verdict in the scenario. Everything changed is restored in ctx.defer.
 */
import { ModbusChannel } from '../protocols/modbus/modbus-channel.js';
import { FieldMonitor } from '../protocols/monitor/monitor-channel.js';
import type { ScenarioContext } from '../runner/scenario-context.js';
import type { TargetProfile } from '../profile/target-schema.js';
import { analyseHeartbeat, type HeartbeatSpec } from '../monitor/invariants/heartbeat-alive.js';
import { near, type OutputExpectation } from '../monitor/invariants/invariant.js';
import { recordSummary } from '../monitor/record-summary.js';
import { valueOf, type MonitorSample } from '../monitor/sample.js';
import { startSampler, type Sampler, type SamplerStats } from '../monitor/sampler.js';
import { evaluateFaultRun, type FaultExpectation, type MonitorSummary } from '../monitor/summary.js';
import { FaultTimeline } from './fault-timeline.js';
import { masterPoints, ModbusMaster, type MasterPoint } from './modbus-master.js';

export type SafeStatePolicy = NonNullable<TargetProfile['policy']['safeState']>;

export interface FaultSessionOptions {
  /** Monitor sampling period (ms); default 10. */
  samplePeriodMs?: number;
  /** Master cycle (ms); default min(200, watchdog/4). */
  masterPeriodMs?: number;
  /** Length of the pre-window baseline (ms); default max(1000, 10 heartbeat periods). */
  preMs?: number;
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
  return 1000 + Math.max(1000, 10 * (ss.heartbeat?.periodMs ?? 100)) + faultMs + ss.recoveryMs + 2000;
}

export class FaultSession {
  private constructor(
    readonly ctx: ScenarioContext,
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
   * Open the master and the monitor, command non-safe values, start sampling and wait for the
   * positive control. Throws VerdictStop (INCONCLUSIVE/ERROR) when the control fails.
   */
  static async open(ctx: ScenarioContext, opts: FaultSessionOptions = {}): Promise<FaultSession> {
    const t = ctx.target;
    const ss = t.policy.safeState!;
    const hb = ss.heartbeat ? { point: ss.heartbeat.point, periodMs: ss.heartbeat.periodMs, jitterToleranceMs: ss.heartbeat.jitterToleranceMs } : undefined;
    const preMs = opts.preMs ?? Math.max(1000, 10 * (hb?.periodMs ?? 100));

    const channel = ctx.track(await ModbusChannel.open(t.interfaces.modbus!, 'tcp', ctx.channelCtx));
    const master = new ModbusMaster(channel, masterPoints(t), { periodMs: opts.masterPeriodMs ?? Math.min(200, Math.floor(ss.watchdogMs / 4)), signal: ctx.signal });
    const original = await master.readConfig();
    const unreadable = Object.entries(original).filter(([, v]) => v === null).map(([k]) => k);
    ctx.control('master reads the declared points', {
      passed: unreadable.length === 0,
      actual: original,
      reason: `the main Modbus interface does not answer reads of ${unreadable.join(', ')} (${master.stats.lastError ?? 'no detail'})`,
      onFail: 'ERROR',
    });

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
    const sampler = startSampler({ source: monitor, periodMs: opts.samplePeriodMs ?? 10, evidence: ctx.evidence, signal: ctx.signal, conn: 'monitor-sampler' });
    ctx.defer('stop monitor sampler', async () => { await sampler.stop(); });
    master.start();

    // Positive control: the commanded values show in the field and the device is not in its safe state.
    const cmdOutputs = ss.outputs.map((r) => ({ rule: r, point: master.points.find((x) => x.monitor === r.point) }));
    const settled = await sampler.waitFor(
      (s) => s.ok && cmdOutputs.every(({ rule, point }) => !point || !master.commanded.has(point.name) || near(valueOf(s, rule.point) ?? NaN, master.commanded.get(point.name)!, rule.tolerance)),
      Math.max(2000, ss.reactionMs + ss.watchdogMs),
      ctx.signal,
    );
    const lastRead = sampler.samples.at(-1);
    ctx.control('commanded values visible on the monitor', {
      passed: settled !== undefined,
      actual: lastRead?.ok ? lastRead.values : (lastRead?.error ?? 'no monitor sample'),
      reason: lastRead?.ok
        ? `the monitor does not show the commanded values (${[...master.commanded].map(([k, v]) => `${k}=${v}`).join(', ')}) within ${Math.max(2000, ss.reactionMs + ss.watchdogMs)} ms`
        : `the independent monitor does not answer (${lastRead?.error ?? 'no sample'})`,
    });
    const preStart = sampler.now();
    await ctx.sleep(preMs);
    const pre = sampler.samples.filter((s) => s.t >= preStart && s.ok);
    const baseline = pre.at(-1);
    ctx.control('monitor samples the baseline', { passed: baseline !== undefined && pre.length >= Math.min(10, preMs / 100), actual: `${pre.length} samples`, reason: 'the monitor gave too few samples in the pre-fault window' });
    const outputs: OutputExpectation[] = ss.outputs.map((r) => ({ point: r.point, normal: valueOf(baseline!, r.point)!, safe: r.safeValue, tolerance: r.tolerance }));
    ctx.control('outputs differ from their safe values in normal operation', {
      passed: outputs.some((o) => !near(o.normal, o.safe, o.tolerance)),
      actual: Object.fromEntries(outputs.map((o) => [o.point, o.normal])),
      reason: 'every safe-state output already shows its safe value in normal operation (and none can be commanded away from it): a safe-state transition would be invisible',
    });
    if (hb) {
      const a = analyseHeartbeat(sampler.samples, preStart, sampler.now(), hb);
      ctx.control('heartbeat runs before the fault', { passed: a.increments > 0, actual: `${a.increments} increments in ${preMs} ms`, reason: `the heartbeat ${hb.point} does not increment in normal operation` });
    }
    return new FaultSession(ctx, ss, master, monitor, sampler, outputs, hb, preMs);
  }

  /** A timeline whose pre-window starts `preMs` before now (the baseline just taken). */
  timeline(fault: string): FaultTimeline {
    const tl = new FaultTimeline(fault, this.ctx.evidence, this.sampler.now);
    tl.mark('pre-start', {}, this.sampler.now() - this.preMs);
    return tl;
  }

  /** Sleep for the pre-window again (between consecutive faults). */
  async baseline(): Promise<void> {
    await this.ctx.sleep(this.preMs);
  }

  /** Evaluate one fault's windows; records measurements, assertions and the verdict (prefix for several faults). */
  evaluate(tl: FaultTimeline, expectation: FaultExpectation, opts: { config?: { before: Record<string, unknown>; after: Record<string, unknown> }; prefix?: string; samplerStats?: SamplerStats } = {}): MonitorSummary {
    const summary = evaluateFaultRun({
      samples: this.sampler.samples,
      windows: tl.windows(),
      outputs: this.outputs,
      heartbeat: this.heartbeat,
      expectation,
      reactionMs: this.safeState.reactionMs,
      recoveryMs: this.safeState.recoveryMs,
      config: opts.config,
      sampler: opts.samplerStats ?? this.sampler.stats(),
    });
    recordSummary(this.ctx, summary, { prefix: opts.prefix });
    return summary;
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
