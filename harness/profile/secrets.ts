import { Redactor } from '../evidence/redactor.js';
import { MissingSecretError } from './profile-error.js';
import type { Account, TargetProfile } from './target-schema.js';

export interface ResolvedAccount {
  username: string;
  password: string;
  role: Account['role'];
}

export interface ResolvedSecrets {
  admin?: ResolvedAccount;
  user?: ResolvedAccount;
  /** Masks every resolved password (and the vendor defaults are public, so they are not masked). */
  redactor: Redactor;
}

/** Read the account passwords from the environment; a missing variable is an error naming it. */
export function resolveSecrets(profile: TargetProfile, env: NodeJS.ProcessEnv = process.env): ResolvedSecrets {
  const redactor = new Redactor();
  // Vendor defaults are published in manuals: masking "admin" would only make transcripts unreadable.
  redactor.allowPublic(profile.credentials.defaults.flatMap((d) => [d.username, d.password]));
  const resolve = (key: 'admin' | 'user'): ResolvedAccount | undefined => {
    const acc = profile.credentials[key];
    if (!acc) return undefined;
    const password = env[acc.password.env];
    if (password === undefined || password === '') throw new MissingSecretError(acc.password.env, `credentials.${key}.password`);
    redactor.add(password);
    return { username: acc.username, password, role: acc.role };
  };
  return { admin: resolve('admin'), user: resolve('user'), redactor };
}
