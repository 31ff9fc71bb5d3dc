// Failure counters and locks of one account database, keyed the way the switches say a device
// keeps them. Hardened: one counter and one lock per account, whatever the connection or endpoint.
// Each flaw switch changes one key: per connection (lockoutCounterPerConnection), per console
// endpoint (consoleEndpointsSeparateCounters), per source address (lockoutPerSource), and
// lockExtendedByAttempts restarts a lock on every wrong password tried while it holds.
import type { Surface } from './alerts.ts';
import type { SimSwitches } from './sim-config.ts';

/** Where a login attempt comes from: the client's address and the connection (session) it is made on. */
export interface LoginOrigin {
  source: string;
  connection: string;
}

let nextConnection = 0;
/** A fresh connection id, for surfaces where every attempt is its own connection (MQTT CONNECT, OPC UA session). */
export function newConnectionId(prefix: string): string {
  return `${prefix}#${++nextConnection}`;
}

/** The origin of a surface that gives none (tests, the serial line). */
export function defaultOrigin(surface: Surface): LoginOrigin {
  return { source: surface, connection: surface };
}

type LockSwitches = Pick<SimSwitches, 'lockoutCounterPerConnection' | 'consoleEndpointsSeparateCounters' | 'lockoutPerSource' | 'lockExtendedByAttempts'>;

export class LockoutBook {
  private readonly failures = new Map<string, number>();
  private readonly lockedUntil = new Map<string, number>();

  constructor(
    private readonly sw: LockSwitches,
    private readonly threshold: () => number,
    private readonly durationMs: () => number,
    private readonly now: () => number,
  ) {}

  /** The counter an attempt counts on. */
  private counterKey(user: string, surface: Surface, o: LoginOrigin): string {
    if (this.sw.lockoutPerSource) return `source:${o.source}`;
    let k = `user:${user}`;
    if (this.sw.consoleEndpointsSeparateCounters) k += `|endpoint:${surface}`;
    if (this.sw.lockoutCounterPerConnection) k += `|conn:${o.connection}`;
    return k;
  }

  /** The lock an attempt is refused by: the account's, or the source's when the lock is per source. */
  private lockKey(user: string, o: LoginOrigin): string {
    return this.sw.lockoutPerSource ? `source:${o.source}` : `user:${user}`;
  }

  remainingMs(user: string, o?: LoginOrigin): number {
    const keys = o ? [this.lockKey(user, o)] : [`user:${user}`];
    const until = Math.max(0, ...keys.map((k) => this.lockedUntil.get(k) ?? 0));
    return Math.max(0, until - this.now());
  }

  /** A wrong password while locked: restarts the lock where the device is flawed that way. */
  failedWhileLocked(user: string, o: LoginOrigin): void {
    if (this.sw.lockExtendedByAttempts) this.lockedUntil.set(this.lockKey(user, o), this.now() + this.durationMs());
  }

  /** A wrong password, not locked: counts it; true when this failure locks. */
  failed(user: string, surface: Surface, o: LoginOrigin): { failures: number; lockedNow: boolean } {
    const k = this.counterKey(user, surface, o);
    const lk = this.lockKey(user, o);
    // A lock that has run out starts a fresh count.
    if ((this.lockedUntil.get(lk) ?? 0) && (this.lockedUntil.get(lk) ?? 0) <= this.now()) {
      this.lockedUntil.delete(lk);
      for (const key of [...this.failures.keys()]) if (key === k || key.startsWith(`${lk}|`)) this.failures.delete(key);
    }
    const n = (this.failures.get(k) ?? 0) + 1;
    this.failures.set(k, n);
    if (n < this.threshold()) return { failures: n, lockedNow: false };
    this.failures.delete(k);
    this.lockedUntil.set(lk, this.now() + this.durationMs());
    return { failures: n, lockedNow: true };
  }

  /** A good login resets the account's counters (every endpoint and connection of it). */
  succeeded(user: string, surface: Surface, o: LoginOrigin): void {
    const k = this.counterKey(user, surface, o);
    this.failures.delete(k);
    if (!this.sw.lockoutPerSource) for (const key of [...this.failures.keys()]) if (key.startsWith(`user:${user}|`)) this.failures.delete(key);
  }

  /** Failures counted against `user` (every counter of it), for `show users`. */
  failuresOf(user: string): number {
    let n = 0;
    for (const [k, v] of this.failures) if (k === `user:${user}` || k.startsWith(`user:${user}|`)) n += v;
    return n;
  }
}
