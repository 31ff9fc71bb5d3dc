import { createHmac } from 'node:crypto';
import type { PasswordChanger } from '../protocols/capabilities/password-changer.js';

/** The declared password policy, in the terms the probes need. */
export interface PasswordPolicy {
  minLength: number;
  minClasses: number;
  history: number;
}

/**
 * Passwords the scenario sets are DERIVED from the account's original password and a per-run
 * nonce (HMAC-SHA256), never random: if restoring fails and the device is left on an intermediate
 * password, the lab recomputes it from the secret it already holds and the nonce recorded in the
 * evidence (`derivedPassword(original, nonce, label)`), so nothing secret has to be written down.
 */
export function derivedPassword(original: string, nonce: string, label: string, length: number): string {
  const h = createHmac('sha256', original).update(`${nonce}:${label}`).digest();
  const alnum = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let body = '';
  for (let i = 0; body.length < length; i++) body += alnum[h[i % h.length]! % alnum.length]!;
  return body;
}

/** A password meeting the policy with margin: ≥ minLength + 4, all four classes (symbols shell- and template-safe). */
export function strongPassword(original: string, nonce: string, label: string, p: PasswordPolicy): string {
  const n = Math.max(p.minLength + 4, 16);
  return `Hq7-${derivedPassword(original, nonce, label, n - 6)}.x`;
}

/** One character too short, but with every class, so length alone breaks the policy. Undefined when the policy is too lax to undercut. */
export function tooShortPassword(original: string, nonce: string, p: PasswordPolicy): string | undefined {
  const n = p.minLength - 1;
  if (n < 4) return undefined;
  return `Hq7-${derivedPassword(original, nonce, 'short', n - 4)}`.slice(0, n);
}

/** Long enough, but a single character class (lower case), so only complexity breaks the policy. */
export function tooFewClassesPassword(original: string, nonce: string, p: PasswordPolicy): string | undefined {
  if (p.minClasses < 2) return undefined;
  return derivedPassword(original, nonce, 'classes', p.minLength + 4).toLowerCase().replace(/[^a-z]/g, 'q');
}

export interface RestoreResult {
  ok: boolean;
  /** The password the account has now (the original when ok). */
  current: string;
  /** Password changes made while restoring (intermediates plus the final one). */
  changes: number;
  detail: string;
}

/**
 * Put the original password back. A device with password history refuses the original right
 * after a change (it is in the history), so this steps through fresh intermediate passwords
 * first: `history` changes in all (counting the ones the scenario already made), then the
 * original; if the device still refuses (it counts history differently), one more
 * intermediate and retry, at most history + 2 extra changes. Device rules this cannot get
 * past (a minimum password age) leave ok=false, and the lab recomputes the current password
 * with derivedPassword().
 */
export async function restorePassword(
  changer: PasswordChanger,
  opts: { current: string; original: string; history: number; changesSoFar: number; intermediate: (i: number) => string; signal: AbortSignal },
): Promise<RestoreResult> {
  let current = opts.current;
  let changes = 0;
  if (current === opts.original) return { ok: true, current, changes, detail: 'nothing to restore' };
  let made = opts.changesSoFar;
  for (let i = 0; i < opts.history + 3; i++) {
    if (made >= opts.history || i >= opts.history) {
      const back = await changer.change(current, opts.original, opts.signal);
      if (back.effect === 'changed') return { ok: true, current: opts.original, changes: changes + 1, detail: `restored after ${changes} intermediate password(s)` };
      if (back.effect === 'unknown') return { ok: false, current, changes, detail: back.detail };
    }
    const next = opts.intermediate(i);
    const step = await changer.change(current, next, opts.signal);
    if (step.effect !== 'changed') return { ok: false, current, changes, detail: `intermediate password ${i + 1} refused: ${step.detail}` };
    current = next;
    changes++;
    made++;
  }
  return { ok: false, current, changes, detail: `the original password was still refused after ${changes} intermediate passwords` };
}
