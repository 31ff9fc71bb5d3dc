// The gateway's account databases. The console (serial line and its TCP port) has its own
// accounts; MQTT and OPC UA share another, with other names: a real gateway keeps console
// users apart from its SCADA-side users. Within one database lockout and password changes are
// shared: a lock earned on the serial console refuses the correct password on the TCP console too.
import type { SimConfig } from './sim-config.ts';
import type { AlertSink, Surface } from './alerts.ts';
import { SIM_ACCOUNT_NAMES, VENDOR_DEFAULT } from './profiles.ts';
import { defaultOrigin, LockoutBook, type LoginOrigin } from './lockout-book.ts';

export type Role = 'admin' | 'operator';
export interface Account { name: string; role: Role; password: string; history: string[]; defaultConsumed: boolean }

/** Which account database a surface logs in against (undefined: the surface has no accounts). */
export type Realm = 'console' | 'network';
export function realmOf(surface: Surface): Realm | undefined {
  if (surface === 'console' || surface === 'console-tcp') return 'console';
  if (surface === 'mqtt' || surface === 'opcua') return 'network';
  return undefined;
}

export type AuthResult =
  | { ok: true; user: string; role: Role; mustChangePassword: boolean }
  | { ok: false; reason: 'bad-credentials' | 'locked'; user?: string; lockedNow?: boolean };

export type ChangeResult = { ok: true } | { ok: false; reason: string };

export class AccountStore {
  private readonly realms: Record<Realm, Map<string, Account>> = { console: new Map(), network: new Map() };
  private readonly cfg: SimConfig;
  /** Failure counters and locks per database, keyed as the lockout switches say. */
  private readonly books: Record<Realm, LockoutBook>;

  constructor(cfg: SimConfig, private readonly alerts: AlertSink, private readonly now: () => number = Date.now) {
    this.cfg = cfg;
    const book = () => new LockoutBook(cfg.switches, () => cfg.params.lockoutThreshold, () => cfg.params.lockoutDurationMs, now);
    this.books = { console: book(), network: book() };
    const mk = (name: string, role: Role, password: string): Account =>
      ({ name, role, password, history: [], defaultConsumed: false });
    for (const realm of ['console', 'network'] as const) {
      const names = SIM_ACCOUNT_NAMES[realm];
      this.realms[realm].set(names.admin, mk(names.admin, 'admin', cfg.accounts.adminPassword));
      this.realms[realm].set(names.operator, mk(names.operator, 'operator', cfg.accounts.operatorPassword));
      // The vendor default exists only where the defaultCredential switch lets it (absent: never shipped).
      if (cfg.switches.defaultCredential !== 'absent') this.realms[realm].set(VENDOR_DEFAULT.username, mk(VENDOR_DEFAULT.username, 'admin', VENDOR_DEFAULT.password));
    }
  }

  /** The account `user` in the database of `surface` (every database when no surface is given: tests). */
  private find(user: string, surface?: Surface): Account | undefined {
    const realm = surface ? realmOf(surface) : undefined;
    if (realm) return this.realms[realm].get(user);
    return surface ? undefined : (this.realms.console.get(user) ?? this.realms.network.get(user));
  }

  /** The book of the database `surface` logs in against (the console's when no surface is given: tests). */
  private bookOf(user: string, surface?: Surface): LockoutBook {
    const realm = surface ? realmOf(surface) : this.realms.console.has(user) ? 'console' : 'network';
    return this.books[realm ?? 'network'];
  }

  isLocked(user: string, surface?: Surface, origin?: LoginOrigin): boolean {
    return this.lockRemainingMs(user, surface, origin) > 0;
  }

  /** Remaining lock time in ms (0 when not locked). */
  lockRemainingMs(user: string, surface?: Surface, origin?: LoginOrigin): number {
    if (!this.cfg.switches.lockout) return 0;
    const a = this.find(user, surface);
    // A lock per source refuses even names the database does not have.
    if (!a && !(origin && this.cfg.switches.lockoutPerSource)) return 0;
    return this.bookOf(user, surface).remainingMs(user, origin);
  }

  /** `origin`: the client address and connection the attempt comes on (the surface itself when not given). */
  authenticate(user: string, password: string, surface: Surface, origin: LoginOrigin = defaultOrigin(surface)): AuthResult {
    const a = this.find(user, surface);
    const book = this.bookOf(user, surface);
    if (this.isLocked(user, surface, origin)) {
      if (!a || password !== a.password) book.failedWhileLocked(user, origin);
      this.alerts.raise({ event: 'login-failed', user, surface, reason: 'locked' });
      return { ok: false, reason: 'locked', user };
    }
    if (!a) {
      this.alerts.raise({ event: 'login-failed', user, surface, reason: 'unknown-user' });
      return { ok: false, reason: 'bad-credentials' };
    }
    let mustChange = false;
    const ok = password === a.password;
    // The vendor default works until it is changed; with must-change, only for changing it.
    if (ok && user === VENDOR_DEFAULT.username && password === VENDOR_DEFAULT.password && !a.defaultConsumed) {
      mustChange = this.cfg.switches.defaultCredential === 'must-change';
    }
    if (ok) {
      book.succeeded(user, surface, origin);
      return { ok: true, user, role: a.role, mustChangePassword: mustChange };
    }
    if (!this.cfg.switches.lockout) {
      this.alerts.raise({ event: 'login-failed', user, surface });
      return { ok: false, reason: 'bad-credentials', user };
    }
    const f = book.failed(user, surface, origin);
    this.alerts.raise({ event: 'login-failed', user, surface, failures: f.failures });
    if (f.lockedNow) {
      this.alerts.raise({ event: 'account-locked', user, surface, durationMs: this.cfg.params.lockoutDurationMs });
      return { ok: false, reason: 'bad-credentials', user, lockedNow: true };
    }
    return { ok: false, reason: 'bad-credentials', user };
  }

  /** Why a new password is refused under the policy, or undefined when it is acceptable. */
  policyViolation(a: Account, next: string): string | undefined {
    if (!this.cfg.switches.passwordPolicy) return next.length ? undefined : 'password must not be empty';
    const p = this.cfg.params;
    if (next.length < p.passwordMinLength) return `password must be at least ${p.passwordMinLength} characters`;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(next)).length;
    if (classes < 3) return 'password must contain at least 3 of: lower case, upper case, digit, symbol';
    if (next === VENDOR_DEFAULT.password) return 'password must not be the vendor default';
    const recent = [a.password, ...a.history].slice(0, Math.max(1, p.passwordHistory));
    if (recent.includes(next)) return `password must differ from the last ${p.passwordHistory} passwords`;
    return undefined;
  }

  /** `old` may be the current password or, while the default is valid, the vendor default. */
  changePassword(user: string, old: string, next: string, surface: Surface): ChangeResult {
    const a = this.find(user, surface);
    if (!a) return { ok: false, reason: 'unknown user' };
    if (old !== a.password) return { ok: false, reason: 'current password incorrect' };
    const why = this.policyViolation(a, next);
    if (why) return { ok: false, reason: why };
    a.history = [a.password, ...a.history].slice(0, 16);
    a.password = next;
    a.defaultConsumed = true;
    this.alerts.raise({ event: 'password-changed', user, surface });
    return { ok: true };
  }

  /** The accounts of the database `surface` logs in against. */
  users(surface: Surface): { name: string; role: Role; locked: boolean; failures: number }[] {
    const realm = realmOf(surface);
    return realm ? [...this.realms[realm].values()].map((a) => ({ name: a.name, role: a.role, locked: this.isLocked(a.name, surface), failures: this.books[realm].failuresOf(a.name) })) : [];
  }

  role(user: string, surface: Surface): Role | undefined { return this.find(user, surface)?.role; }
}
