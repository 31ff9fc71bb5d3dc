/**
 * Secure channel offer (CPSF L3.017/L3.018): what one interface offers without encryption, judged
 * against what the profile declares (`policy.secureChannel`). Every probe of the plaintext side is
 * unauthenticated, so no secret crosses the wire in the clear; the account is for the positive
 * control over the secured channel.
 */
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { InterfaceName, TargetProfile } from '../../profile/target-schema.js';
import type { Findings, Judgement } from '../../core/finding.js';
import type { ProbeRun } from './probe-run.js';

export interface SecureChannelCapability {
  /** `account`: the least-privileged declared account, for the positive control (undefined when none). */
  /** `out`: the scenario's sink, written as findings are made (`ctx.judge`), so a throw loses nothing. */
  probe(target: TargetProfile, iface: InterfaceName, account: ResolvedAccount | undefined, run: ProbeRun, out?: Findings): Promise<Judgement>;
  /** Worst-case time of the probe, for scenario budgets. */
  boundMs(target: TargetProfile): number;
}
