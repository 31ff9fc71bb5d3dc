// The gateway's account databases. The console (serial line and its TCP port) has its own
// accounts; MQTT and OPC UA share another, with other names: a real gateway keeps console
// users apart from its SCADA-side users. Within one database lockout and password changes are
// shared: a lock earned on the serial console refuses the correct password on the TCP console too.
import type { SimConfig } from './sim-config.ts';
import type { AlertSink, Surface } from './alerts.ts';
import { SIM_ACCOUNT_NAMES, VENDOR_DEFAULT } from './profiles.ts';

export type Role = 'admin' | 'operator';
export interface Account { name: string; role: Role; password: string; history: string[]; failures: number; lockedUntil: number; defaultConsumed: boolean }

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

  constructor(cfg: SimConfig, private readonly alerts: AlertSink, private readonly now: () => number = Date.now) {
    this.cfg = cfg;
    const mk = (name: string, role: Role, password: string): Account =>
      ({ name, role, password, history: [], failures: 0, lockedUntil: 0, defaultConsumed: false });
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

  isLocked(user: string, surface?: Surface): boolean {
    const a = this.find(user, surface);
    return !!a && this.cfg.switches.lockout && a.lockedUntil > this.now();
  }

  /** Remaining lock time in ms (0 when not locked). */
  lockRemainingMs(user: string, surface?: Surface): number {
    const a = this.find(user, surface);
    return a && this.isLocked(user, surface) ? a.lockedUntil - this.now() : 0;
  }

  authenticate(user: string, password: string, surface: Surface): AuthResult {
    const a = this.find(user, surface);
    if (!a) {
      this.alerts.raise({ event: 'login-failed', user, surface, reason: 'unknown-user' });
      return { ok: false, reason: 'bad-credentials' };
    }
    if (this.isLocked(user, surface)) {
      this.alerts.raise({ event: 'login-failed', user, surface, reason: 'locked' });
      return { ok: false, reason: 'locked', user };
    }
    if (a.lockedUntil && a.lockedUntil <= this.now()) { a.lockedUntil = 0; a.failures = 0; }
    let mustChange = false;
    const ok = password === a.password;
    // The vendor default works until it is changed; with must-change, only for changing it.
    if (ok && user === VENDOR_DEFAULT.username && password === VENDOR_DEFAULT.password && !a.defaultConsumed) {
      mustChange = this.cfg.switches.defaultCredential === 'must-change';
    }
    if (ok) {
      a.failures = 0;
      return { ok: true, user, role: a.role, mustChangePassword: mustChange };
    }
    a.failures++;
    this.alerts.raise({ event: 'login-failed', user, surface, failures: a.failures });
    if (this.cfg.switches.lockout && a.failures >= this.cfg.params.lockoutThreshold) {
      a.lockedUntil = this.now() + this.cfg.params.lockoutDurationMs;
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
    return realm ? [...this.realms[realm].values()].map((a) => ({ name: a.name, role: a.role, locked: this.isLocked(a.name, surface), failures: a.failures })) : [];
  }

  role(user: string, surface: Surface): Role | undefined { return this.find(user, surface)?.role; }
}
