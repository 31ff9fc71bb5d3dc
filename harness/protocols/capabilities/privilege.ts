/**
 * Admin/user separation (CPSF L2.016) on one interface: the admin's in-range write of a point must
 * take effect (positive control), the non-admin's write of another value must not — judged by
 * read-back and by the independent field monitor, never by the reply alone. The protocol does the
 * talking; the protocol-neutral part (which point, which values, how the field is watched) comes
 * in as a WritePlan from harness/oracles/write-observation.ts.
 */
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { InterfaceName, Point, TargetProfile } from '../../profile/target-schema.js';
import type { Findings, Judgement } from '../../core/finding.js';
import type { ProbeRun } from './probe-run.js';

/** What the independent field monitor showed while a write's effect was looked for. */
export interface FieldSeen {
  /** The monitor showed the written value. */
  hit: boolean;
  /** "monitor heaterSetpoint: 45, 20" or "not monitored", for reasons and evidence. */
  summary: string;
}

/** The field monitor's view of the plan's point (`monitored: false` when the profile declares none). */
export interface FieldObserver {
  readonly monitored: boolean;
  /** Watch for `value` during `windowMs`, stopping early when it shows; immediate when not monitored. */
  watchFor(value: number, windowMs: number): Promise<FieldSeen>;
}

/** The admin's control value and the non-admin's probe value: in range, distinct, not the current value. */
export interface PrivilegeValues {
  adminValue: number;
  userValue: number;
}

/** The point a privilege probe writes and how its effect is judged, independent of the protocol. */
export interface WritePlan {
  /** The point's name under policy.points. */
  readonly name: string;
  readonly point: Point;
  /** Values for the probe given the current value; undefined when no two fit the range. */
  values(current: number | undefined): PrivilegeValues | undefined;
  /** Equal within the point's tolerance. */
  same(a: number, b: number): boolean;
  /** Opens the field monitor for the point (call once the control value is known). */
  openField(): Promise<FieldObserver>;
  /** How long to look for the effect of a write that should have been denied, within the interface's deadline. */
  effectWindowMs(ifaceTimeoutMs: number): number;
}

export interface PrivilegeAccounts {
  admin: ResolvedAccount;
  user: ResolvedAccount;
}

/** A protocol with accounts: it probes separation on its interfaces. */
export interface AccountPrivilege {
  /** Why the interface cannot write points at all (e.g. no set-point command declared), or undefined. */
  unsupported?(target: TargetProfile, iface: InterfaceName): string | undefined;
  /** Whether the point is addressable on this protocol (has a console name, an MQTT name, a node id). */
  maps(point: Point): boolean;
  /** NOT_APPLICABLE reason when no writable numeric point is mapped on this protocol. */
  readonly noPoint: string;
  /** `out`: the scenario's sink, written as findings are made (`ctx.judge`), so a throw loses nothing. */
  probe(target: TargetProfile, iface: InterfaceName, accounts: PrivilegeAccounts, plan: WritePlan, run: ProbeRun, out?: Findings): Promise<Judgement>;
  /** Worst-case time of one probe, for scenario budgets. */
  boundMs(target: TargetProfile): number;
}

/** A protocol without accounts (Modbus): nothing to separate, said once where the protocol is declared. */
export interface NoAccounts {
  /** The NOT_APPLICABLE reason. */
  readonly noAccounts: string;
}

export type PrivilegeCapability = AccountPrivilege | NoAccounts;

export const hasAccounts = (c: PrivilegeCapability): c is AccountPrivilege => !('noAccounts' in c);
