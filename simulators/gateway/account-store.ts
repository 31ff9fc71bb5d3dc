// The one account store behind every surface (console, MQTT, OPC UA), so lockout and password
// changes are shared: a lock earned on the console refuses the correct password on MQTT too.
import type { SimConfig } from './sim-config.ts';
import type { AlertSink, Surface } from './alerts.ts';
import { VENDOR_DEFAULT } from './profiles.ts';

export type Role = 'admin' | 'operator';
export interface Account { name: string; role: Role; password: string; history: string[]; failures: number; lockedUntil: number; defaultConsumed: boolean }

export type AuthResult =
  | { ok: true; user: string; role: Role; mustChangePassword: boolean }
  | { ok: false; reason: 'bad-credentials' | 'locked'; user?: string; lockedNow?: boolean };

export type ChangeResult = { ok: true } | { ok: false; reason: string };

export class AccountStore {
  private readonly accounts = new Map<string, Account>();
  private readonly cfg: SimConfig;

  constructor(cfg: SimConfig, private readonly alerts: AlertSink, private readonly now: () => number = Date.now) {
    this.cfg = cfg;
    const mk = (name: string, role: Role, password: string): Account =>
      ({ name, role, password, history: [], failures: 0, lockedUntil: 0, defaultConsumed: false });
    this.accounts.set('admin', mk('admin', 'admin', cfg.accounts.adminPassword));
    this.accounts.set('operator', mk('operator', 'operator', cfg.accounts.operatorPassword));
  }

  isLocked(user: string): boolean {
    const a = this.accounts.get(user);
    return !!a && this.cfg.switches.lockout && a.lockedUntil > this.now();
  }

  /** Remaining lock time in ms (0 when not locked). */
  lockRemainingMs(user: string): number {
    const a = this.accounts.get(user);
    return a && this.isLocked(user) ? a.lockedUntil - this.now() : 0;
  }

  authenticate(user: string, password: string, surface: Surface): AuthResult {
    const a = this.accounts.get(user);
    if (!a) {
      this.alerts.raise({ event: 'login-failed', user, surface, reason: 'unknown-user' });
      return { ok: false, reason: 'bad-credentials' };
    }
    if (this.isLocked(user)) {
      this.alerts.raise({ event: 'login-failed', user, surface, reason: 'locked' });
      return { ok: false, reason: 'locked', user };
    }
    if (a.lockedUntil && a.lockedUntil <= this.now()) { a.lockedUntil = 0; a.failures = 0; }
    let mustChange = false;
    let ok = password === a.password;
    if (!ok && user === VENDOR_DEFAULT.username && password === VENDOR_DEFAULT.password) {
      const mode = this.cfg.switches.defaultCredential;
      if (mode === 'accepted') ok = true;
      else if (mode === 'must-change' && !a.defaultConsumed) { ok = true; mustChange = true; }
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
    const a = this.accounts.get(user);
    if (!a) return { ok: false, reason: 'unknown user' };
    const defaultValid = user === VENDOR_DEFAULT.username && old === VENDOR_DEFAULT.password &&
      (this.cfg.switches.defaultCredential === 'accepted' || (this.cfg.switches.defaultCredential === 'must-change' && !a.defaultConsumed));
    if (old !== a.password && !defaultValid) return { ok: false, reason: 'current password incorrect' };
    const why = this.policyViolation(a, next);
    if (why) return { ok: false, reason: why };
    a.history = [a.password, ...a.history].slice(0, 16);
    a.password = next;
    a.defaultConsumed = true;
    this.alerts.raise({ event: 'password-changed', user, surface });
    return { ok: true };
  }

  users(): { name: string; role: Role; locked: boolean; failures: number }[] {
    return [...this.accounts.values()].map((a) => ({ name: a.name, role: a.role, locked: this.isLocked(a.name), failures: a.failures }));
  }

  role(user: string): Role | undefined { return this.accounts.get(user)?.role; }
}
