/**
 * What a protocol offers the harness. Each protocol lives in harness/protocols/<name>/ and exports
 * one ProtocolModule from its index.ts; registry.ts lists them. Scenarios ask the registry for
 * capabilities on the interfaces a target has and never see a channel (labgrid's strategies bind
 * to protocols the same way, never to a concrete driver).
 */
import type { z } from 'zod';
import type { ResolvedAccount, ResolvedSecrets } from '../profile/secrets.js';
import type { InterfaceName, TargetProfile } from '../profile/target-schema.js';
import type { AlertsCapability } from './capabilities/alerts.js';
import type { AuthSurface } from './capabilities/auth-surface.js';
import type { PasswordChanger } from './capabilities/password-changer.js';
import type { EvidenceDecoder } from './capabilities/evidence-decoder.js';
import type { IdleSessionCapability } from './capabilities/idle-session.js';
import type { MalformedInputCapability } from './capabilities/malformed-input.js';
import type { ServiceIdentityCapability } from './capabilities/service-identity.js';
import type { AccessPath, PointAccess } from './capabilities/point-access.js';
import type { PrivilegeCapability } from './capabilities/privilege.js';
import type { SecureChannelCapability } from './capabilities/secure-channel.js';
import type { UnauthenticatedServicesCapability } from './capabilities/unauthenticated-services.js';
import type { ChannelContext } from './transport/channel.js';

/** A login surface plus whatever it holds open (the console keeps its serial line across attempts). */
export type ClosableSurface = AuthSurface & { close?(): Promise<void> };

/** Logging in: default credentials, unauthenticated access, lockout and password checks use it. */
export interface LoginCapability {
  /** The login surface of one interface of this protocol on the target. */
  surface(target: TargetProfile, iface: InterfaceName, ctx: ChannelContext): ClosableSurface;
  /** Worst-case time of one attempt (connect, prompts, proof action, logout), for scenario budgets. */
  attemptBoundMs(target: TargetProfile): number;
  /** Worst-case time of the unauthenticated probe (`AuthSurface.unauthenticated`), for scenario budgets. */
  anonymousBoundMs(target: TargetProfile): number;
  /** Which declared account a positive control prefers (the other one when it is not declared). */
  readonly controlRole: 'admin' | 'user';
  /** Changing a password over this protocol, where the profile declares how. */
  readonly passwords?: {
    declared(target: TargetProfile): boolean;
    changer(target: TargetProfile, surface: ClosableSurface, username: string): PasswordChanger;
  };
}

/** Writing and reading back declared process points (range checks). */
export interface PointsCapability {
  /** Access path name of an interface, used in measurement names ("heaterSetpoint.modbus-tcp.fc06"). */
  path(iface: InterfaceName): AccessPath;
  /** Which `reaction` key of a point governs this protocol's writes. */
  readonly reactionKey: string;
  /** Per-operation deadline of this interface, from the profile. */
  timeoutMs(target: TargetProfile): number;
  /** Opens point access, as the account the protocol writes with (undefined where it has no accounts). */
  open(target: TargetProfile, iface: InterfaceName, account: ResolvedAccount | undefined, ctx: ChannelContext): Promise<PointAccess>;
  /** Whether writes on this protocol need an account (and so the admin secret). */
  readonly needsAccount: boolean;
}

export interface ProtocolModule {
  /** The protocol's one name: profile key under `interfaces`, evidence `protocol` field, report label. */
  readonly name: string;
  /** Schema of `interfaces.<name>` for a protocol the built-in profile schema does not know. */
  readonly interfaceSchema?: z.ZodType;
  /** The interfaces this protocol has on the target (none when the profile does not describe it). */
  interfaces(target: TargetProfile): InterfaceName[];
  readonly login?: LoginCapability;
  readonly points?: PointsCapability;
  /** Where the device raises security alerts on this protocol. */
  readonly alerts?: AlertsCapability;
  /** Admin/user separation of point writes (or why there is none: no accounts). */
  readonly privilege?: PrivilegeCapability;
  /** What the protocol offers without encryption, against the declared secure-channel policy. */
  readonly secureChannel?: SecureChannelCapability;
  /** Whether an idle login session ends. */
  readonly idleSession?: IdleSessionCapability;
  /** Malformed frames/packets/bytes and the valid request that must still be answered (robustness). */
  readonly malformed?: MalformedInputCapability;
  /** Whether an open TCP port speaks this protocol (service identification after a port scan). */
  readonly identify?: ServiceIdentityCapability;
  /** Decodes this protocol's evidence bytes for the reports and the pcapng writer. */
  readonly decoder?: EvidenceDecoder;
  /** Shells or command services reachable without a login (open ports outside the allowlist, maintenance ports). */
  readonly unauthenticatedServices?: UnauthenticatedServicesCapability;
}

export type { ResolvedSecrets };

type BuiltInInterfaces = Required<TargetProfile['interfaces']>;

/** A built-in protocol's section of the profile; a capability called without it is a harness bug. */
export function interfaceConfig<K extends 'modbus' | 'mqtt' | 'opcua'>(t: { interfaces: Partial<Pick<BuiltInInterfaces, K>> }, key: K): BuiltInInterfaces[K] {
  const c = t.interfaces[key];
  if (!c) throw new Error(`the target has no ${key} interface`);
  return c as BuiltInInterfaces[K];
}
