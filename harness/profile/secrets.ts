import { Redactor } from '../evidence/redactor.js';
import { rolePermissions, type RolePermissions } from './account-schema.js';
import { MissingSecretError } from './profile-error.js';
import type { TargetProfile } from './target-schema.js';

/** An account of the profile with its password read from the environment. */
export interface ResolvedAccount {
  username: string;
  password: string;
  /** The role's name ('admin', 'user', or one the profile declares under `roles`). */
  role: string;
  /** Whether the role may do everything (`admin: true`). */
  admin: boolean;
  /** Interface ids or protocol names it logs in on; '*' is every login interface. */
  interfaces: string[];
  permissions: RolePermissions;
  /** The environment variable the password came from: two entries naming the same one are one account. */
  passwordEnv: string;
  /** Where in the profile it is declared ("accounts.2", "credentials.admin"). */
  declaredAt: string;
}

export interface ResolvedSecrets {
  /** Every declared account, in profile order (legacy `credentials.admin`/`user` last). */
  accounts: ResolvedAccount[];
  /**
   * The accounts that log in on `iface`; `protocol` is the protocol serving it (an account listing
   * the protocol's name logs in on all of its interfaces).
   */
  forInterface(iface: string, protocol?: string): ResolvedAccount[];
  /** For code not converted to per-interface accounts yet: the first admin account, and the first other one. */
  admin?: ResolvedAccount;
  user?: ResolvedAccount;
  /** Masks every resolved password (and the vendor defaults are public, so they are not masked). */
  redactor: Redactor;
}

/** Whether an account declared for `declared` interfaces logs in on `iface` (served by `protocol`). */
export function accountCovers(declared: readonly string[], iface: string, protocol?: string): boolean {
  return declared.includes('*') || declared.includes(iface) || (protocol !== undefined && declared.includes(protocol));
}

/** Read the account passwords from the environment; a missing variable is an error naming it. */
export function resolveSecrets(profile: TargetProfile, env: NodeJS.ProcessEnv = process.env): ResolvedSecrets {
  const redactor = new Redactor();
  // Vendor defaults are published in manuals: masking "admin" would only make transcripts unreadable.
  redactor.allowPublic(profile.credentials.defaults.flatMap((d) => [d.username, d.password]));
  const read = (variable: string, where: string): string => {
    const password = env[variable];
    if (password === undefined || password === '') throw new MissingSecretError(variable, where);
    redactor.add(password);
    return password;
  };
  const accounts: ResolvedAccount[] = profile.accounts.map((a, i) => {
    const permissions = rolePermissions(profile.roles, a.role) ?? { admin: false };
    return {
      username: a.username,
      password: read(a.password.env, `accounts.${i}.password`),
      role: a.role,
      admin: permissions.admin,
      interfaces: a.interfaces,
      permissions,
      passwordEnv: a.password.env,
      declaredAt: `accounts.${i}`,
    };
  });
  // The legacy form maps to accounts on every login interface, so existing profiles keep working.
  for (const key of ['admin', 'user'] as const) {
    const acc = profile.credentials[key];
    if (!acc) continue;
    const permissions = rolePermissions(profile.roles, acc.role) ?? { admin: acc.role === 'admin' };
    accounts.push({
      username: acc.username,
      password: read(acc.password.env, `credentials.${key}.password`),
      role: acc.role,
      admin: permissions.admin,
      interfaces: ['*'],
      permissions,
      passwordEnv: acc.password.env,
      declaredAt: `credentials.${key}`,
    });
  }
  return {
    accounts,
    forInterface: (iface, protocol) => accounts.filter((a) => accountCovers(a.interfaces, iface, protocol)),
    admin: accounts.find((a) => a.admin),
    user: accounts.find((a) => !a.admin),
    redactor,
  };
}
