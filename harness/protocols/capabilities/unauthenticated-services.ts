/**
 * Services that run commands without a login (CPSF L2.006): every open port outside the allowlist
 * and every declared maintenance port, tried as a shell would be. The network protocol offers it;
 * unauthenticated-access records what it returns.
 */
import type { Findings, Judgement } from '../../core/finding.js';
import type { InterfaceName, TargetProfile } from '../../profile/target-schema.js';
import type { ChannelContext } from '../transport/channel.js';

export interface UnauthenticatedServicesCapability {
  /**
   * Findings for the interface: a failed check per port that ran a command, else the interface's
   * verdict. `out`: the scenario's sink, written as findings are made (`ctx.judge`).
   */
  probe(target: TargetProfile, iface: InterfaceName, ctx: ChannelContext & { signal: AbortSignal }, out?: Findings): Promise<Judgement>;
  /** Worst-case time of the probe (scan plus every candidate port), for the scenario budget. */
  boundMs(target: TargetProfile): number;
}
