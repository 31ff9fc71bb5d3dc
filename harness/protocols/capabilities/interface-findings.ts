/**
 * Findings of a probe on one interface: every measurement, check and control carries the
 * interface, and `end` gives the interface its verdict. Probes stop after a failed control and
 * call `end` only when every check held, so what they return reads in the order it happened.
 */
import { Findings, type CheckFinding, type ControlFinding, type MeasurementFinding } from '../../core/finding.js';
import type { Measurement } from '../../core/measurement.js';
import type { Verdict } from '../../core/verdict.js';

type Opts<F> = Omit<F, 'kind' | 'name' | 'iface'>;

export class InterfaceFindings extends Findings {
  /** `sink`: the scenario's collector to write into as findings are made (see `ctx.judge`). */
  constructor(
    readonly iface: string,
    sink?: Findings,
  ) {
    super(sink);
  }

  override measure(name: string, value: Measurement['value'], opts: Omit<Opts<MeasurementFinding>, 'value'> = {}): void {
    super.measure(name, value, { ...opts, iface: this.iface });
  }

  override check(name: string, c: Opts<CheckFinding>): boolean {
    return super.check(name, { ...c, iface: this.iface });
  }

  override control(name: string, c: Opts<ControlFinding>): boolean {
    return super.control(name, { ...c, iface: this.iface });
  }

  /** The interface's verdict (PASS, or why nothing could be decided); returns the findings to hand back. */
  end(verdict: Verdict, reason: string): this {
    this.verdict(verdict, reason, this.iface);
    return this;
  }
}
