/**
 * What an oracle, a fault or the monitor found, as data: measurements (with their limits and the
 * reason a value outside them means), checks (expected, actual, passed, reason), positive controls
 * and verdict entries. They judge; only the scenario context records (`ctx.judge` with a sink, or
 * `ctx.recordFindings`), so nothing below the runner needs the runner.
 */
import type { MeasurementLimits, Measurement } from './measurement.js';
import type { Verdict } from './verdict.js';

export interface MeasurementFinding {
  kind: 'measurement';
  name: string;
  value: Measurement['value'];
  unit?: string;
  limits?: MeasurementLimits;
  iface?: string;
  /** Reason recorded when the value is outside the limits (no verdict without one). */
  failReason?: string;
  /** Verdict when outside the limits and a failReason is given (FAIL by default). */
  onFail?: Verdict;
}

export interface CheckFinding {
  kind: 'check';
  name: string;
  expected: unknown;
  actual: unknown;
  passed: boolean;
  /** Names the weakness when the check does not hold. */
  reason: string;
  onFail?: Verdict;
  iface?: string;
}

/** A positive control: when it fails, nothing after it means anything and the scenario (or interface) stops. */
export interface ControlFinding {
  kind: 'control';
  name: string;
  actual: unknown;
  passed: boolean;
  reason: string;
  onFail?: 'INCONCLUSIVE' | 'ERROR';
  iface?: string;
}

export interface VerdictFinding {
  kind: 'verdict';
  verdict: Verdict;
  reason: string;
  iface?: string;
}

/** An observation for the evidence log that decides nothing. */
export interface NoteFinding {
  kind: 'note';
  text: string;
}

export type Finding = MeasurementFinding | CheckFinding | ControlFinding | VerdictFinding | NoteFinding;

/**
 * The typed result of a judgement: its findings in the order they were made and, for procedures
 * that hand something on (an opened fault session), a value present whenever no control failed.
 */
export interface Judgement<T = void> {
  readonly findings: readonly Finding[];
  readonly value?: T;
}

type Opt<F> = Omit<F, 'kind'>;

/**
 * Collects findings in order; each adder returns whether the finding holds, so a procedure can stop
 * on a failed control. Built on a sink (`new Findings(out)`), it writes into the sink's own array:
 * what a procedure found is in the scenario's sink the moment it is found, so a procedure that
 * throws part-way (a device timeout after a proven FAIL) loses nothing (see `ctx.judge`).
 */
export class Findings implements Judgement {
  readonly findings: Finding[];

  constructor(sink?: Findings) {
    this.findings = sink ? sink.findings : [];
  }

  measure(name: string, value: Measurement['value'], opts: Omit<Opt<MeasurementFinding>, 'name' | 'value'> = {}): void {
    this.findings.push({ kind: 'measurement', name, value, ...opts });
  }

  check(name: string, c: Omit<Opt<CheckFinding>, 'name'>): boolean {
    this.findings.push({ kind: 'check', name, ...c });
    return c.passed;
  }

  control(name: string, c: Omit<Opt<ControlFinding>, 'name'>): boolean {
    this.findings.push({ kind: 'control', name, ...c });
    return c.passed;
  }

  verdict(verdict: Verdict, reason: string, iface?: string): void {
    this.findings.push({ kind: 'verdict', verdict, reason, ...(iface ? { iface } : {}) });
  }

  note(text: string): void {
    this.findings.push({ kind: 'note', text });
  }

  /** Appends another judgement's findings (a sub-procedure's); nothing when it already wrote into this sink. */
  add(j: Judgement<unknown>): void {
    if (j.findings === this.findings) return;
    this.findings.push(...j.findings);
  }

  /** This judgement with a value to hand on (present only when every control held). */
  with<T>(value: T | undefined): Judgement<T> {
    return { findings: this.findings, ...(value !== undefined ? { value } : {}) };
  }

  /** This judgement without a value: a control failed and the procedure stopped. */
  halted<T>(): Judgement<T> {
    return { findings: this.findings };
  }
}

/** The first failed control among the findings, if any. */
export function failedControl(j: Judgement<unknown>): ControlFinding | undefined {
  return j.findings.find((f): f is ControlFinding => f.kind === 'control' && !f.passed);
}
