/**
 * Which declared account a check uses on one interface: an admin for a positive control that
 * writes, each non-admin role for privilege checks, any reader of a topic for alerts, the least
 * privileged account for a plain login. A scenario asks ScenarioContext.account(iface, need);
 * when the profile has none, the answer says why, for a NOT_APPLICABLE reason.
 */
import type { ResolvedAccount, ResolvedSecrets } from './secrets.js';
import { topicMatches } from './topic-filter.js';

export type AccountNeed =
  /** A role with `admin: true`. */
  | { role: 'admin' }
  /** Any role without `admin` (the least privileged first). */
  | { role: 'non-admin' }
  /** Exactly this declared role. */
  | { role: string }
  /** Any account; `prefer` orders the choice (default: least privileged first, locking or changing it costs least). */
  | { any: true; prefer?: 'admin' | 'non-admin' }
  /** An account whose role may subscribe to this MQTT topic (admins may read everything). */
  | { reads: string };

export type AccountAnswer = { account: ResolvedAccount; missing?: undefined } | { account?: undefined; missing: string };

/** Whether the account's role may read `topic` over MQTT. */
export function mayRead(a: ResolvedAccount, topic: string): boolean {
  return a.admin || (a.permissions.mqtt?.read ?? []).some((f) => topicMatches(f, topic));
}

const nonAdminFirst = (a: ResolvedAccount, b: ResolvedAccount) => Number(a.admin) - Number(b.admin);

/** Every declared account on `iface` that fits `need`, in the order a check should prefer. */
export function accountsFor(secrets: ResolvedSecrets, iface: string, protocol: string | undefined, need: AccountNeed): ResolvedAccount[] {
  const on = secrets.forInterface(iface, protocol);
  if ('reads' in need) return on.filter((a) => mayRead(a, need.reads)).sort(nonAdminFirst);
  if ('any' in need) return [...on].sort(need.prefer === 'admin' ? (a, b) => nonAdminFirst(b, a) : nonAdminFirst);
  if (need.role === 'admin') return on.filter((a) => a.admin);
  if (need.role === 'non-admin') return on.filter((a) => !a.admin);
  return on.filter((a) => a.role === need.role);
}

/** What a need asks for, in words, for the NOT_APPLICABLE reason. */
export function describeNeed(need: AccountNeed): string {
  if ('reads' in need) return `an account whose role may read ${need.reads}`;
  if ('any' in need) return 'an account';
  if (need.role === 'admin') return 'an admin account';
  if (need.role === 'non-admin') return 'a non-admin account';
  return `an account with role ${need.role}`;
}

/** The first fitting account, or why there is none. */
export function findAccount(secrets: ResolvedSecrets, iface: string, protocol: string | undefined, need: AccountNeed): AccountAnswer {
  const found = accountsFor(secrets, iface, protocol, need)[0];
  if (found) return { account: found };
  return { missing: `the profile declares no ${describeNeed(need).replace(/^an? /, '')} on ${iface} (accounts[].interfaces)` };
}

/** One account per distinct non-admin role on `iface` (privilege checks probe each role once). */
export function nonAdminRoles(secrets: ResolvedSecrets, iface: string, protocol: string | undefined): ResolvedAccount[] {
  const seen = new Set<string>();
  return accountsFor(secrets, iface, protocol, { role: 'non-admin' }).filter((a) => !seen.has(a.role) && seen.add(a.role));
}
