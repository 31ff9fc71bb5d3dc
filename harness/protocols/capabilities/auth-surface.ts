import type { Findings, Judgement } from '../../core/finding.js';
import type { InterfaceFindings } from './interface-findings.js';
/**
 * One place a user logs in (console, MQTT CONNECT, OPC UA ActivateSession), reduced to what the
 * credential, lockout and session oracles need. Implementations live next to this file, one per
 * interface. A surface that keeps a connection between attempts (a console line, OPC UA's secure
 * channel) has close(), so a check that needs a fresh connection per attempt can ask for one.
 */
export type AuthOutcome =
  /** Logged in AND an authenticated-only action worked (the only proof that counts). */
  | 'accepted'
  /** Refused in the ordinary way (bad credentials). */
  | 'refused'
  /** Refused with an explicit lock indication. */
  | 'locked'
  /** The protocol said yes, but the authenticated-only action did not work (e.g. must change password first). */
  | 'restricted'
  /** No decision: timeout, garbage, connection dropped. */
  | 'error';

export interface AuthAttempt {
  outcome: AuthOutcome;
  /** Device reply that decided it: prompt seen, CONNACK code, OPC UA status. */
  detail: string;
  durationMs: number;
}

/**
 * Unauthenticated use of one interface, judged by its effect: the positive controls (a declared
 * account logs in; without it a refusal means nothing), what was observed, and the checks, in
 * order, as findings of the interface. The scenario decides what the outcome means for the device's
 * declaration (anonymous use may be declared allowed).
 * - accepted: the device let an unauthenticated client in (a failed check says how);
 * - refused: it did not (`detail` says how it refused);
 * - undecided: no decision (a failed control, a timeout, no prompt, garbage).
 */
export interface UnauthenticatedResult extends Judgement {
  outcome: 'accepted' | 'refused' | 'undecided';
  detail: string;
}

/** The result when the profile declares no account for the positive control. */
export function noControlAccount(f: InterfaceFindings, what: string): UnauthenticatedResult {
  const reason = `no account declared: the ${what} positive control (a valid login) cannot run`;
  f.control('a declared account logs in', { actual: 'no account', passed: false, reason });
  return { findings: f.findings, outcome: 'undecided', detail: reason };
}

/** The declared accounts a probe may use for its positive control, in the order it should prefer. */
export interface ControlAccount {
  username: string;
  password: string;
  /**
   * The other declared accounts on the interface, preferred first: a probe whose control needs
   * something this account cannot do (MQTT: receive telemetry) tries them before giving up.
   */
  alternatives?: readonly ControlAccount[];
}

export interface AuthSurface {
  /** The interface this surface logs in on ('console', 'mqtt', ...). */
  readonly iface: string;
  attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt>;
  /**
   * Positive control with `account`, then the protocol's unauthenticated use: commands before a
   * login, an anonymous CONNECT, an anonymous session. `out`: the scenario's sink, written as
   * findings are made (`ctx.judge`), so a throw loses nothing.
   */
  unauthenticated?(account: ControlAccount | undefined, signal: AbortSignal, out?: Findings): Promise<UnauthenticatedResult>;
}

/** Refusals of either kind. */
export const isRefusal = (o: AuthOutcome): boolean => o === 'refused' || o === 'locked';
