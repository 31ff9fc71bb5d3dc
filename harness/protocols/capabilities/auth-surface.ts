/**
 * One place a user logs in (console, MQTT CONNECT, OPC UA ActivateSession), reduced to what the
 * credential, lockout and session oracles need. Implementations live next to this file, one per
 * interface; they open a fresh connection per attempt so a device cannot carry state in the socket.
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

/** A value the probe saw, recorded as a measurement of the interface ("telemetryReceivedAnonymously"). */
export interface Observation {
  name: string;
  value: boolean | number | string | null;
  unit?: string;
}

/** One expectation of a probe (or a positive control before it), with the reason that names the weakness when it fails. */
export interface ProbeCheck {
  name: string;
  expected: string;
  actual: string;
  passed: boolean;
  reason: string;
}

/**
 * Unauthenticated use of one interface, judged by its effect. The positive control (a declared
 * account logs in) comes first: without it a refusal means nothing.
 * - accepted: the device let an unauthenticated client in (a failed check says how);
 * - refused: it did not (`detail` says how it refused);
 * - undecided: no decision (timeout, no prompt, garbage).
 */
export interface UnauthenticatedResult {
  /** Positive controls in order; the probe stops at the first that fails. */
  controls: ProbeCheck[];
  outcome: 'accepted' | 'refused' | 'undecided';
  detail: string;
  checks: ProbeCheck[];
  observations: Observation[];
}

/** The declared accounts a probe may use for its positive control, in the order it should prefer. */
export interface ControlAccount {
  username: string;
  password: string;
}

export interface AuthSurface {
  /** The interface this surface logs in on ('console', 'mqtt', ...). */
  readonly iface: string;
  attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt>;
  /**
   * Positive control with `account`, then the protocol's unauthenticated use: commands before a
   * login, an anonymous CONNECT, an anonymous session.
   */
  unauthenticated?(account: ControlAccount | undefined, signal: AbortSignal): Promise<UnauthenticatedResult>;
}

/** Refusals of either kind. */
export const isRefusal = (o: AuthOutcome): boolean => o === 'refused' || o === 'locked';
