/**
 * Idle sessions end (CPSF L2.006; IEC 62443-4-2 CR 2.5/2.6): log in, prove the session works, stay
 * silent for the declared idle time plus a margin, then prove by effect that the session no longer
 * runs commands.
 */
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { InterfaceName, TargetProfile } from '../../profile/target-schema.js';
import type { Findings, Judgement } from '../../core/finding.js';
import type { ProbeRun } from './probe-run.js';

/** How long to stay silent: the declared idle timeout and the margin the scenario grants. */
export interface IdleWait {
  idleTimeoutMs: number;
  marginMs: number;
}

export interface IdleSessionCapability {
  /** `out`: the scenario's sink, written as findings are made (`ctx.judge`), so a throw loses nothing. */
  probe(target: TargetProfile, iface: InterfaceName, account: ResolvedAccount, wait: IdleWait, run: ProbeRun, out?: Findings): Promise<Judgement>;
  /** Worst-case time of the probe without the idle wait itself, for scenario budgets. */
  boundMs(target: TargetProfile): number;
}
