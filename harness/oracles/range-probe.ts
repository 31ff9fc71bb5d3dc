/**
 * The out-of-range procedure for ONE declared point on ONE interface (CPSF L2.021, measures §6.3):
 * read the original value → positive control (an in-range write takes effect: read-back and field
 * monitor) → for each probe (max+1, min-1, wrong type; Modbus: FC06 and FC16) re-arm the control
 * value, send the bad value, look at the monitor at once, read back, classify by effect → alerts for
 * the rejected writes → restore the original value and verify it. Everything it finds is written,
 * as it is found, into the scenario's sink (`ctx.judge((out) => probe.run(out))`), so a probe that
 * FAILed stays a FAIL when a later step throws; a failed control stops this point (its control
 * finding turns into INCONCLUSIVE), never PASS.
 */
import { Findings, type Judgement } from '../core/finding.js';
import type { RestorationPlan } from '../evidence/restoration-record.js';
import { methodLabel, type PointAccess, type WriteMethod } from '../protocols/capabilities/point-access.js';
import { pickWriteValues } from './probe-values.js';
import { fmt, monitorWindow, observeMonitor, rangeProbes, runProbe, type PointProbeDeps } from './range-probe-write.js';
import type { ObservedReaction } from './range-reaction.js';

export { rangeProbes, WRONG_TYPE_VALUE, type PointProbeDeps, type RangeProbe } from './range-probe-write.js';

/** Tally of one point × interface, for the interface's PASS summary. */
export interface PointProbeSummary {
  probes: number;
  observed: Partial<Record<ObservedReaction, number>>;
}

/** Monitor window after a positive control: long enough to see the effect, well inside the watchdog. */
const CONTROL_WINDOW_MS = 1000;
/** How long alerts for the rejected writes may take to appear on the declared topic. */
const ALERT_WAIT_MS = 2000;

/**
 * The procedure for one point on one interface. `run(out)` probes and restores, writing into the
 * sink `out` as it goes. `restoreIfNeeded(out)` is the teardown safety net for a run that did not
 * get to restore (exception, budget exhausted).
 */
export class PointProbe {
  private original: number | undefined;
  private restored = false;
  private plan: RestorationPlan | undefined;

  constructor(private readonly d: PointProbeDeps) {}

  private get key(): string {
    return `${this.d.point.name}.${this.d.access.path}`;
  }

  private near(a: unknown, b: number): boolean {
    return typeof a === 'number' && Math.abs(a - b) <= this.d.access.resolution(this.d.point) / 2;
  }

  /** Write the original value back and read it back; the findings say whether it held. */
  private async restore(a: PointAccess, f: Findings): Promise<void> {
    const { point } = this.d;
    const path = a.path;
    const original = this.original!;
    const w = await a.write(point, original, a.methods(point)[0]);
    const rb = await a.read(point);
    this.restored = true;
    const ok = !w.failure && w.replyRejected !== true && rb.ok && this.near(rb.value, original);
    if (this.plan) this.d.restorations?.done(this.plan, { restored: ok, readBack: rb.ok ? rb.value : rb.error, by: 'scenario' });
    f.measure(`${this.key}.restored`, ok, {
      iface: path,
      limits: { equals: true },
      onFail: 'ERROR',
      failReason: `${point.name}: could not restore the original ${fmt(original, point.spec.unit)} (${w.failure ?? w.reply}; read back ${rb.ok ? fmt(rb.value, point.spec.unit) : rb.error}); the device is left changed`,
    });
  }

  /** Teardown safety net: restores only when run() read an original value and did not put it back. */
  async restoreIfNeeded(out?: Findings): Promise<Judgement> {
    const f = new Findings(out);
    if (this.restored || this.original === undefined) return f;
    try {
      await this.restore(this.d.access, f);
    } catch {
      const fresh = await this.d.reopen();
      try {
        await this.restore(fresh, f);
      } finally {
        await fresh.close();
      }
    }
    return f;
  }

  async run(out?: Findings): Promise<Judgement<PointProbeSummary>> {
    const d = this.d;
    const f = new Findings(out);
    const { access, point } = d;
    const path = access.path;
    const spec = point.spec;
    const unit = spec.unit;
    const key = this.key;
    const eps = access.resolution(point) / 2;
    const near = (a: unknown, b: number) => this.near(a, b);
    const methods = access.methods(point);
    const summary: PointProbeSummary = { probes: 0, observed: {} };

    // 1. Original value: nothing is written unless it can be put back.
    const orig = await access.read(point);
    const readable = f.control(`${key} original value readable`, {
      passed: orig.ok && typeof orig.value === 'number',
      actual: orig.ok ? orig.text : orig.error,
      iface: path,
      reason: `${point.name}: cannot read the current value back (${orig.ok ? 'not a number' : orig.error}); nothing was written, since it could not be restored`,
    });
    if (!readable) return f.halted();
    const original = (orig as { value: number }).value;
    this.original = original;
    f.measure(`${key}.original`, original, { unit, iface: path });
    // Before anything is written: what will be put back and how, so a run killed from here on
    // leaves an outstanding restoration in the evidence instead of a silently changed device.
    this.plan = d.restorations?.planned({
      point: point.name,
      path,
      original,
      ...(unit ? { unit } : {}),
      method: methods[0]!,
      how: `write ${fmt(original, unit)} back to ${point.name} with ${methodLabel(path, methods[0]!)} on ${path} and read it back`,
    });

    try {
      const picks = pickWriteValues(spec, { current: original, avoid: safeValuesFor(d), tolerance: Math.max(eps * 2, 1e-6) });
      const picked = f.control(`${key} in-range control values exist`, {
        passed: !!picks,
        actual: picks ?? null,
        iface: path,
        reason: `${point.name}: no two in-range control values distinct from the current ${fmt(original, unit)} (range ${spec.min}..${spec.max})`,
      });
      if (!picked) return f.halted();
      const controls = methods.length > 1 ? [picks!.adminValue, picks!.userValue] : [picks!.adminValue];

      // 2. Positive controls: each write method once, with a value the read-back and monitor must show.
      let settleMs = 50;
      for (const [i, value] of controls.entries()) {
        const method: WriteMethod = i === 0 ? methods[0]! : methods[1] === 'fc16-array' ? 'fc16' : methods[1]!;
        const t0 = Date.now();
        const w = await access.write(point, value, method);
        const mon = await observeMonitor(d, (v) => near(v, value), monitorWindow(d, CONTROL_WINDOW_MS));
        const rb = await access.read(point);
        if (mon?.hit !== undefined) settleMs = Math.max(settleMs, Math.min(2 * (Date.now() - t0), monitorWindow(d, CONTROL_WINDOW_MS)));
        const passed = !w.failure && w.replyRejected !== true && rb.ok && near(rb.value, value) && (!mon || mon.hit !== undefined);
        f.measure(`${key}.control.${method}`, passed ? 'took effect' : 'did not take effect', { iface: path });
        const tookEffect = f.control(`${key} ${methodLabel(path, method)} of in-range ${fmt(value, unit)} takes effect`, {
          passed,
          actual: { sent: w.sent, reply: w.failure ?? w.reply, readBack: rb.ok ? rb.value : rb.error, monitor: mon ? mon.values.at(-1) ?? 'no reading' : 'not monitored' },
          iface: path,
          reason: `${point.name}: positive control failed, ${methodLabel(path, method)} of in-range ${fmt(value, unit)} did not take effect (reply ${w.failure ?? w.reply}; read back ${rb.ok ? fmt(rb.value, unit) : rb.error}${mon ? `; monitor ${mon.values.length ? fmt(mon.values.at(-1), unit) : 'no reading'}` : ''}); out-of-range probes would prove nothing`,
        });
        if (!tookEffect) return f.halted();
      }
      const armValue = controls.at(-1)!;

      // 3. Probes.
      const alertMark = d.alerts?.mark();
      let rejectedOutOfRange = 0;
      for (const probe of rangeProbes(spec)) {
        if (probe.id === 'wrong-type') {
          const why = access.wrongTypeUnsupported();
          if (why) {
            f.measure(`${key}.wrong-type`, `not applicable: ${why}`, { iface: path });
            continue;
          }
        }
        for (const method of probe.id === 'wrong-type' ? [methods[0]!] : methods) {
          const observed = await runProbe(d, f, { probe, method, armValue, settleMs, eps, key });
          summary.probes += 1;
          summary.observed[observed] = (summary.observed[observed] ?? 0) + 1;
          if (probe.id !== 'wrong-type' && observed === 'rejected') rejectedOutOfRange += 1;
        }
      }

      // 4. Alerts: a rejected command is an anomaly the device should report (M0818: "... while also logging or alerting").
      if (d.alerts && alertMark !== undefined && rejectedOutOfRange > 0) {
        const got = await d.alerts.waitCount(alertMark, rejectedOutOfRange, ALERT_WAIT_MS, d.signal);
        f.measure(`${key}.alerts`, got.length, {
          iface: path,
          limits: { min: rejectedOutOfRange },
          failReason: `${point.name}: ${rejectedOutOfRange} out-of-range write(s) rejected but ${got.length === 0 ? 'no alert' : `only ${got.length} alert(s)`} appeared on the declared alert topic ${d.alerts.topic}`,
        });
        for (const m of got) f.note(`${key}: alert on ${d.alerts.topic}: ${m.text.slice(0, 120)}`);
      }
    } finally {
      // 5. Restore now (the next interface starts from the original), verified by read-back.
      if (!this.restored && !d.signal.aborted) await this.restore(access, f);
    }
    return f.with(summary);
  }
}

function safeValuesFor(d: PointProbeDeps): number[] {
  return d.safeOutputs.filter((r) => r.point === d.point.spec.monitor).map((r) => r.safeValue);
}

