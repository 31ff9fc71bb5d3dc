import { DeadlineError, deadline, sleep } from '../core/deadline.js';
import { measurement, type Measurement, type MeasurementLimits } from '../core/measurement.js';
import { Findings, type Judgement } from '../core/finding.js';
import type { Assertion, CheckResult } from '../core/result-schema.js';
import type { Verdict } from '../core/verdict.js';
import type { EvidenceLog } from '../evidence/evidence-log.js';
import { RestorationJournal } from '../evidence/restoration-record.js';
import type { ResolvedSecrets } from '../profile/secrets.js';
import type { InterfaceName, TargetProfile } from '../profile/target-schema.js';
import { loginInterfaces, protocolOf } from '../protocols/registry.js';
import { accountsFor, findAccount, type AccountNeed } from '../profile/account-query.js';
import type { ResolvedAccount } from '../profile/secrets.js';
import type { ClosableSurface } from '../protocols/protocol.js';
import type { ScenarioDeclaration } from './scenario-declaration.js';
import { scenarioInterfaces, targetInterfaces } from './scenario-applicability.js';
import type { VerdictEntry } from './scenario-verdict.js';

/**
 * A measurement declared with its limits where it is made (OpenHTF's `Measurement('x').in_range()`):
 * the value outside the limits is the check's verdict, and the reason comes from the same declaration.
 */
export interface MeasurementSpec<V extends Measurement['value'] = Measurement['value']> {
  name: string;
  unit?: string;
  limits?: MeasurementLimits;
  iface?: string;
  /** The reason recorded when the value is outside the limits, built from the value. */
  failReason: (value: V) => string;
  /** Verdict when outside the limits (FAIL unless the measurement only decides whether anything was shown). */
  onFail?: Verdict;
}

export { scenarioVerdict, type VerdictEntry } from './scenario-verdict.js';

/** Thrown to stop a scenario (or one interface of it) with a given verdict, e.g. a failed positive control. */
export class VerdictStop extends Error {
  constructor(
    readonly verdict: Verdict,
    readonly reason: string,
    readonly iface?: string,
  ) {
    super(reason);
    this.name = 'VerdictStop';
  }
}

interface Closeable {
  close(): Promise<void> | void;
}

/**
 * Everything a scenario gets: the target, its resolved secrets, the evidence log, a signal that
 * fires when the scenario's time budget runs out, and the recorders for measurements, assertions
 * and verdicts. Teardown registered with `defer` always runs, in reverse order.
 */
export class ScenarioContext {
  readonly measurements: Measurement[] = [];
  readonly assertions: Assertion[] = [];
  readonly verdicts: VerdictEntry[] = [];
  /** One verdict per check, in order; a FAIL here is never rewritten (see scenarioVerdict). */
  readonly checks: CheckResult[] = [];
  private readonly deferred: { name: string; fn: () => Promise<void> | void; timeoutMs?: number }[] = [];
  private readonly tracked: Closeable[] = [];

  constructor(
    readonly def: ScenarioDeclaration,
    readonly target: TargetProfile,
    readonly secrets: ResolvedSecrets,
    readonly evidence: EvidenceLog,
    /** Aborts when the scenario's budget is exhausted or the run is cancelled. */
    readonly signal: AbortSignal,
  ) {}

  private journal: RestorationJournal | undefined;

  /**
   * Where a state-changing probe writes what it will restore (before acting) and that it has
   * restored it: a run killed in between leaves the restoration outstanding for `hil restore`.
   */
  get restorations(): RestorationJournal {
    return (this.journal ??= new RestorationJournal(this.evidence));
  }

  /** What channels need: where to log, and when to give up. */
  get channelCtx(): { evidence: EvidenceLog; signal: AbortSignal } {
    return { evidence: this.evidence, signal: this.signal };
  }

  /**
   * The declared account on `iface` that fits `need` (an admin, a non-admin role, a reader of a
   * topic). Without one it stops that interface with NOT_APPLICABLE naming what is missing.
   */
  account(iface: InterfaceName, need: AccountNeed = { any: true }): ResolvedAccount {
    const r = findAccount(this.secrets, iface, protocolOf(this.target, iface)?.name, need);
    if (r.account) return r.account;
    throw new VerdictStop('NOT_APPLICABLE', r.missing, iface);
  }

  /** Every declared account on `iface` that fits `need`, preferred first (possibly none). */
  accounts(iface: InterfaceName, need: AccountNeed = { any: true }): ResolvedAccount[] {
    return accountsFor(this.secrets, iface, protocolOf(this.target, iface)?.name, need);
  }

  has(iface: InterfaceName): boolean {
    return targetInterfaces(this.target).has(iface);
  }

  /** A deadline for one device operation that also ends with the scenario. */
  deadline(ms: number): AbortSignal {
    return deadline(ms, this.signal);
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms, this.signal);
  }

  log(text: string, attrs?: Record<string, unknown>): void {
    this.evidence.event('harness', text, attrs);
  }

  /** Record a declared measurement; outside its limits it records the spec's verdict and reason. Returns whether it passed. */
  assess<V extends Measurement['value']>(spec: MeasurementSpec<V>, value: V): boolean {
    const m = this.measure(spec.name, value, { unit: spec.unit, limits: spec.limits, iface: spec.iface });
    // Outside its limits the measurement is also a failed check, so reports list it with its reason.
    if (m.passed === false) {
      this.check(spec.name, { expected: { limits: spec.limits, ...(spec.unit ? { unit: spec.unit } : {}) }, actual: value, passed: false, iface: spec.iface, reason: spec.failReason(value), onFail: spec.onFail });
    } else if (m.passed === true) this.checks.push({ name: spec.name, verdict: 'PASS', ...(spec.iface ? { iface: spec.iface } : {}) });
    return m.passed !== false;
  }

  /** The interfaces of the target this scenario covers (its declared interfaces or capability). */
  get interfaces(): string[] {
    return scenarioInterfaces(this.def, this.target);
  }

  /**
   * The login surface of every interface that has logins (optionally only `only`), closed when the
   * scenario ends.
   */
  logins(only?: readonly string[]): Map<string, ClosableSurface> {
    const out = new Map<string, ClosableSurface>();
    for (const li of loginInterfaces(this.target)) {
      if (only && !only.includes(li.iface) && !only.includes(li.protocol.name)) continue;
      const s = li.login.surface(this.target, li.iface, this.channelCtx);
      this.track({ close: () => s.close?.() });
      out.set(li.iface, s);
    }
    return out;
  }

  /**
   * Record what an oracle, fault or the monitor found, in order (measurements, checks, controls,
   * verdicts, notes). A failed positive control among them stops the scenario (or the interface)
   * like `control()`; otherwise the judgement's value, if it has one, is handed back.
   */
  recordFindings<T = void>(j: Judgement<T>): T {
    let stop: VerdictStop | undefined;
    for (const f of j.findings) {
      if (f.kind === 'measurement') {
        const m = this.measure(f.name, f.value, { unit: f.unit, limits: f.limits, iface: f.iface });
        if (m.passed === false && f.failReason) this.enter({ verdict: f.onFail ?? 'FAIL', reason: f.failReason, iface: f.iface, check: f.name });
        else if (m.passed === true && f.failReason) this.checks.push({ name: f.name, verdict: 'PASS', ...(f.iface ? { iface: f.iface } : {}) });
      } else if (f.kind === 'check') this.check(f.name, f);
      else if (f.kind === 'control') {
        this.check(`control: ${f.name}`, { expected: 'positive control succeeds', actual: f.actual, passed: f.passed, iface: f.iface, reason: f.reason, onFail: f.onFail ?? 'INCONCLUSIVE' });
        if (!f.passed) stop ??= new VerdictStop(f.onFail ?? 'INCONCLUSIVE', f.reason, f.iface);
      } else if (f.kind === 'verdict') this.record(f.verdict, f.reason, f.iface);
      else this.log(f.text);
    }
    if (stop) throw stop;
    return j.value as T;
  }

  /**
   * Run a procedure with a sink (`(out) => procedure(args..., out)`) and record everything it
   * found, whether it returns or throws: a FAIL proven before a device timeout stays a FAIL (the
   * ERROR comes after it). On return it also records the returned findings not already in the
   * sink and hands back the value; a failed control among them stops like `recordFindings`. On a
   * throw the original error is rethrown.
   */
  async judge<T = void>(fn: (out: Findings) => Promise<Judgement<T>> | Judgement<T>): Promise<T> {
    const out = new Findings();
    let j: Judgement<T>;
    try {
      j = await fn(out);
    } catch (e) {
      try {
        this.recordFindings(out);
      } catch (stop) {
        // A failed control is recorded already; the original error says why the procedure ended.
        if (!(stop instanceof VerdictStop)) throw stop;
      }
      throw e;
    }
    const inSink = new Set(out.findings);
    return this.recordFindings({ findings: [...out.findings, ...j.findings.filter((f) => !inSink.has(f))], ...(j.value !== undefined ? { value: j.value } : {}) });
  }

  measure(name: string, value: Measurement['value'], opts: { unit?: string; limits?: MeasurementLimits; iface?: string } = {}): Measurement {
    const m = measurement(name, value, opts);
    this.measurements.push(m);
    this.evidence.append({ channel: 'harness', dir: 'event', text: `measurement ${name}=${JSON.stringify(value)}${opts.unit ?? ''}`, attrs: { measurement: m } });
    return m;
  }

  /**
   * Record an expectation. When it does not hold, the scenario gets `onFail` (FAIL by default)
   * with `reason`, which should name the weakness ("admin/admin accepted on console").
   */
  check(
    name: string,
    c: { expected: unknown; actual: unknown; passed: boolean; iface?: string; reason: string; onFail?: Verdict },
  ): boolean {
    const a: Assertion = {
      name,
      expected: c.expected,
      actual: c.actual,
      passed: c.passed,
      ...(c.iface ? { iface: c.iface } : {}),
      evidence: [this.evidence.nextSeq],
    };
    this.assertions.push(a);
    this.evidence.append({ channel: 'harness', dir: 'event', text: `check ${name}: ${c.passed ? 'ok' : 'NOT MET'}`, attrs: { assertion: a } });
    if (c.passed) this.checks.push({ name, verdict: 'PASS', ...(c.iface ? { iface: c.iface } : {}) });
    else this.enter({ verdict: c.onFail ?? 'FAIL', reason: c.reason, iface: c.iface, check: name });
    return c.passed;
  }

  /** A positive control must succeed before a negative probe means anything; if not, stop with INCONCLUSIVE (or ERROR). */
  control(name: string, c: { passed: boolean; actual: unknown; iface?: string; reason: string; onFail?: 'INCONCLUSIVE' | 'ERROR' }): void {
    this.check(`control: ${name}`, { expected: 'positive control succeeds', actual: c.actual, passed: c.passed, iface: c.iface, reason: c.reason, onFail: c.onFail ?? 'INCONCLUSIVE' });
    if (!c.passed) throw new VerdictStop(c.onFail ?? 'INCONCLUSIVE', c.reason, c.iface);
  }

  /** Record a verdict the scenario decided itself; it is a check of its own ("outcome"). */
  record(verdict: Verdict, reason: string, iface?: string): void {
    this.enter({ verdict, reason, iface });
  }

  /** Every verdict entry goes through here: the scenario's entry list, its check list and the evidence. */
  private enter(e: { verdict: Verdict; reason: string; iface?: string; check?: string }): void {
    const { verdict, reason, iface, check } = e;
    this.verdicts.push({ verdict, reason, ...(iface ? { iface } : {}), ...(check ? { check } : {}) });
    this.checks.push({ name: check ?? 'outcome', verdict, ...(iface ? { iface } : {}), reason });
    this.evidence.append({ channel: 'harness', dir: 'event', text: `${verdict}${iface ? ` [${iface}]` : ''}: ${reason}`, attrs: { verdict, iface, ...(check ? { check } : {}) } });
  }

  pass(reason: string, iface?: string): void {
    this.record('PASS', reason, iface);
  }

  fail(reason: string, iface?: string): void {
    this.record('FAIL', reason, iface);
  }

  inconclusive(reason: string, iface?: string): void {
    this.record('INCONCLUSIVE', reason, iface);
  }

  notApplicable(reason: string, iface?: string): void {
    this.record('NOT_APPLICABLE', reason, iface);
  }

  /**
   * Register teardown (restore a value, wait out a lock). Runs whatever happened, newest first.
   * `timeoutMs` bounds this step (derive it from the profile's timings); 15 s otherwise.
   */
  defer(name: string, fn: () => Promise<void> | void, opts: { timeoutMs?: number } = {}): void {
    this.deferred.push({ name, fn, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  }

  /** Close this channel (or anything closeable) when the scenario ends. */
  track<T extends Closeable>(c: T): T {
    this.tracked.push(c);
    return c;
  }

  /**
   * Run `fn` once per interface the target has; an exception on one interface becomes that
   * interface's ERROR (or the VerdictStop's verdict) without stopping the others. One after
   * another, or with `concurrent` all at once (only where the profile declares that the
   * interfaces do not disturb each other).
   */
  async forEachInterface<I extends InterfaceName>(ifaces: I[], fn: (iface: I) => Promise<void>, opts: { concurrent?: boolean } = {}): Promise<I[]> {
    const present = ifaces.filter((i) => this.has(i));
    const one = async (iface: I) => {
      if (this.signal.aborted) return;
      try {
        this.log(`interface ${iface}: start`);
        await fn(iface);
      } catch (e) {
        if (this.signal.aborted) throw e;
        this.recordException(e, iface);
      }
    };
    if (opts.concurrent) {
      // Every body runs to its end (its teardown included) before an abort is passed on.
      const settled = await Promise.allSettled(present.map(one));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
    } else for (const iface of present) await one(iface);
    return present;
  }

  /** Map an exception to a verdict entry: VerdictStop keeps its verdict, anything else is a harness/setup ERROR. */
  recordException(e: unknown, iface?: string): void {
    if (e instanceof VerdictStop) {
      // control() already recorded it
      if (!this.verdicts.some((v) => v.reason === e.reason && v.iface === (e.iface ?? iface))) this.enter({ verdict: e.verdict, reason: e.reason, iface: e.iface ?? iface, check: 'stopped' });
      return;
    }
    const err = e as Error;
    const what = err instanceof DeadlineError ? `device did not answer in time (${err.message})` : `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
    // An ERROR is added as a check of its own: whatever was measured before it keeps its verdict.
    this.enter({ verdict: 'ERROR', reason: what, iface, check: 'exception' });
  }

  /** Teardown: deferred actions (LIFO) then tracked channels; each bounded so teardown itself cannot hang. */
  async teardown(perStepMs = 15_000): Promise<void> {
    const bounded = async (name: string, fn: () => Promise<void> | void, stepMs = perStepMs) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(fn),
          new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new DeadlineError(`teardown ${name}`, stepMs)), stepMs))),
        ]);
      } catch (e) {
        this.enter({ verdict: 'ERROR', reason: `teardown "${name}" failed: ${(e as Error).message}`, check: `teardown: ${name}` });
      } finally {
        clearTimeout(timer);
      }
    };
    while (this.deferred.length) {
      const d = this.deferred.pop()!;
      this.log(`teardown: ${d.name}`);
      await bounded(d.name, d.fn, d.timeoutMs);
    }
    while (this.tracked.length) {
      const c = this.tracked.pop()!;
      await bounded('close channel', () => c.close());
    }
  }
}
