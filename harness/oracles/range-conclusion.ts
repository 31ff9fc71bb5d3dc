/**
 * The range check's conclusion for one interface once its points are probed: NOT_APPLICABLE when
 * no declared range point maps onto it, PASS when every probe got the declared reaction (nothing
 * else was recorded against the interface), otherwise nothing to add to what the probes found.
 */
import { Findings, type Judgement } from '../core/finding.js';
import type { Verdict } from '../core/verdict.js';

export interface RangeTally {
  path: string;
  /** "heaterSetpoint (reject)" per point probed. */
  probed: string[];
  probes: number;
  alertsWatched: boolean;
}

export function concludeRangeInterface(t: RangeTally, recorded: readonly { verdict: Verdict; iface?: string }[], out?: Findings): Judgement {
  const f = new Findings(out);
  const mine = recorded.filter((v) => v.iface === t.path);
  if (t.probed.length === 0 && mine.length === 0) f.verdict('NOT_APPLICABLE', `no declared range point is mapped on ${t.path}`, t.path);
  else if (t.probed.length && !mine.some((v) => v.verdict !== 'PASS')) {
    f.verdict('PASS', `${t.probes} out-of-range/wrong-type probes on ${t.probed.join(', ')}: every one got the declared reaction and never reached the process${t.alertsWatched ? '; alerts raised' : ''}; original values restored`, t.path);
  }
  return f;
}

/** An interface whose point access could not be opened: a harness or setup problem, never a device verdict. */
export function accessUnavailable(path: string, e: unknown, out?: Findings): Judgement {
  const f = new Findings(out);
  f.verdict('ERROR', `cannot open ${path} for writing: ${(e as Error).message}`, path);
  return f;
}
