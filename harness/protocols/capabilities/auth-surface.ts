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

export interface AuthSurface {
  readonly iface: 'console' | 'mqtt' | 'opcua';
  attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt>;
  /** Unauthenticated access (anonymous CONNECT, anonymous session, command before login). 'accepted' means it got in. */
  anonymous?(signal: AbortSignal): Promise<AuthAttempt>;
}

/** Refusals of either kind. */
export const isRefusal = (o: AuthOutcome): boolean => o === 'refused' || o === 'locked';
