/**
 * Part 2 of default-credentials: the declared password policy, checked by changing the password
 * of a declared account and judging every change by its effect (see the scenario's header).
 */
import { randomBytes } from 'node:crypto';
import { restorePassword, strongPassword, tooFewClassesPassword, tooShortPassword } from '../harness/oracles/password-change.js';
import type { AuthAttempt } from '../harness/protocols/capabilities/auth-surface.js';
import type { ChangeOutcome } from '../harness/protocols/capabilities/password-changer.js';
import type { ClosableSurface } from '../harness/protocols/protocol.js';
import { loginInterfaces, type LoginInterface } from '../harness/protocols/registry.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { VerdictStop, type ScenarioContext } from '../harness/runner/scenario-context.js';

type AuthIface = string;

/** Restoring may take 3 attempts per change, for history + 3 changes. */
export function passwordPartAttempts(t: TargetProfile): number {
  const h = t.policy.passwordPolicy?.history ?? 0; // no policy: no history to step through
  return 5 * 4 + 3 * (h + 3);
}

/** The first login interface on which the profile declares how to change a password. */
export function changeInterface(t: TargetProfile): LoginInterface | undefined {
  return loginInterfaces(t).find((li) => li.login.passwords?.declared(t));
}

export function logAttempt(ctx: ScenarioContext, iface: AuthIface, what: string, a: AuthAttempt): void {
  ctx.log(`[${iface}] ${what}: ${a.outcome} (${a.detail}, ${a.durationMs} ms)`, { iface, outcome: a.outcome });
}

/** Why the password-change part does not run, or undefined when it does. */
function passwordPartSkip(t: TargetProfile): string | undefined {
  if (!t.policy.passwordPolicy) return 'the profile declares no passwordPolicy';
  if (!changeInterface(t)) return 'the profile declares no console changePassword command';
  if (!t.allowStateChanges) return 'allowStateChanges is false (changing a password is a state change)';
  return undefined;
}

export async function passwordPolicyPart(ctx: ScenarioContext, surfaces: Map<AuthIface, ClosableSurface>): Promise<void> {
  const t = ctx.target;
  const skip = passwordPartSkip(t);
  if (skip) {
    ctx.log(`password policy and change checks not run: ${skip}`);
    ctx.measure('passwordPolicyChecked', false);
    return;
  }
  if (ctx.signal.aborted) return;
  const where = changeInterface(t)!;
  const on = where.iface;
  if (ctx.verdicts.some((v) => v.iface === on && (v.verdict === 'ERROR' || v.verdict === 'INCONCLUSIVE'))) {
    ctx.log(`password policy and change checks not run: the ${on} gave no usable login above`);
    return;
  }
  const policy = t.policy.passwordPolicy!;
  // Least privileged first: changing the admin's password is what a lab can least afford to get wrong.
  const acct = ctx.accounts(on)[0];
  if (!acct) {
    ctx.log(`password policy and change checks not run: the profile declares no account on ${on}`);
    return;
  }
  // The change shows wherever the same account (username and password variable) logs in.
  const sameAccount = (iface: AuthIface) => ctx.accounts(iface).some((a) => a.username === acct.username && a.passwordEnv === acct.passwordEnv);
  const sharing = [...surfaces].filter(([iface]) => sameAccount(iface));
  const original = acct.password;
  const con = surfaces.get(on)!;
  const changer = where.login.passwords!.changer(t, con, acct.username);
  const nonce = randomBytes(8).toString('hex');
  const mk = (label: string) => {
    const p = strongPassword(original, nonce, label, policy);
    ctx.evidence.redactor.add(p);
    return p;
  };
  ctx.log(`password checks on account ${acct.username}; derived passwords use nonce ${nonce}`, { nonce, account: acct.username });
  ctx.measure('passwordPolicyChecked', true);

  let current = original;
  let changes = 0;
  // Restoring may take 3 attempts per change, for history + 3 changes: bounded by the interface's declared timings.
  const restoreMs = 3 * (policy.history + 3) * where.login.attemptBoundMs(t);
  ctx.defer(
    `restore the original password of ${acct.username}`,
    async () => {
      if (current === original) return;
      // Own deadline: the scenario's signal may already have fired (budget), the restore must still run.
      const r = await restorePassword(changer, {
        current,
        original,
        history: policy.history,
        changesSoFar: changes,
        intermediate: (i) => mk(`restore-${i}`),
        signal: AbortSignal.timeout(restoreMs),
      });
      ctx.log(`restore ${acct.username}: ${r.ok ? 'ok' : 'FAILED'} (${r.detail})`, { nonce });
      current = r.current;
      if (!r.ok) {
        ctx.record('ERROR', `could not restore the original password of ${acct.username}: ${r.detail}; the current one is derivedPassword(original, nonce ${nonce}, …) as logged`, on);
      }
    },
    { timeoutMs: restoreMs + 1000 },
  );

  const control = await con.attempt(acct.username, original, ctx.signal);
  ctx.control(`${acct.username} logs in on ${on} before the password checks`, {
    passed: control.outcome === 'accepted',
    actual: control.detail,
    iface: on,
    reason: `positive control failed: ${acct.username} did not log in on ${on} before the password checks (${control.detail})`,
  });

  const change = async (next: string, what: string): Promise<ChangeOutcome> => {
    ctx.evidence.redactor.add(next);
    const r = await changer.change(current, next, ctx.signal);
    ctx.log(`[${on}] change to ${what}: ${r.effect} (${r.detail}); reply: ${r.reply.slice(0, 160)}`);
    if (r.effect === 'changed') {
      current = next;
      changes++;
    }
    if (r.effect === 'unknown') throw new VerdictStop('INCONCLUSIVE', `password change to ${what} gave no decision: ${r.detail}`, on);
    return r;
  };

  let clean = true;
  // Every probe runs even after a finding; `clean` only decides whether the part ends with a PASS.
  const noted = (ok: boolean) => {
    clean = clean && ok;
  };
  const short = tooShortPassword(original, nonce, policy);
  if (short) {
    const r = await change(short, `a ${short.length}-character password`);
    noted(ctx.check('too-short password refused', {
      expected: `refused (declared minLength ${policy.minLength})`,
      actual: r.effect,
      passed: r.effect === 'unchanged',
      iface: on,
      reason: `weak password accepted on ${on}: ${short.length} characters (declared minimum ${policy.minLength})`,
    }));
  }
  const simple = tooFewClassesPassword(original, nonce, policy);
  if (simple) {
    const r = await change(simple, 'a lower-case-only password');
    noted(ctx.check('single-class password refused', {
      expected: `refused (declared minClasses ${policy.minClasses})`,
      actual: r.effect,
      passed: r.effect === 'unchanged',
      iface: on,
      reason: `weak password accepted on ${on}: one character class (declared minimum ${policy.minClasses})`,
    }));
  }
  if (policy.history > 0) {
    // Re-setting the current password leaves nothing to observe, so this one is judged by the reply.
    const r = await changer.setSame(current, ctx.signal);
    if (r.accepted === undefined) ctx.log('reuse of the current password not checked: no responses.passwordChanged pattern to recognise the reply');
    else {
      ctx.log(`[${on}] re-set the current password: ${r.detail}; reply: ${r.reply.slice(0, 160)}`);
      noted(ctx.check('reuse of the current password refused', {
        expected: `refused (declared history ${policy.history})`,
        actual: r.reply.slice(0, 200),
        passed: !r.accepted,
        iface: on,
        reason: `password reuse accepted on ${on}: the current password was set again (declared history ${policy.history})`,
      }));
    }
  }

  // A strong change must take effect everywhere: the new password works and the old one is refused on every interface.
  const before = current;
  const strong = mk('strong');
  const r = await change(strong, 'a strong password');
  ctx.control('a policy-conforming password change succeeds', {
    passed: r.effect === 'changed',
    actual: r.effect,
    iface: on,
    reason: `could not change ${acct.username}'s password to a policy-conforming one on ${on} (${r.detail}; reply ${r.reply.slice(0, 120)})`,
  });
  for (const [iface, s] of sharing) {
    if (ctx.signal.aborted) break;
    const withNew = await s.attempt(acct.username, strong, ctx.signal);
    logAttempt(ctx, iface, 'new password after the change', withNew);
    if (withNew.outcome !== 'accepted') {
      clean = false;
      ctx.inconclusive(`the new password does not log in on ${iface} after the change (${withNew.detail}): old-password refusal there proves nothing`, iface);
      continue;
    }
    const withOld = await s.attempt(acct.username, before, ctx.signal);
    logAttempt(ctx, iface, 'old password after the change', withOld);
    if (withOld.outcome === 'error') {
      clean = false;
      ctx.inconclusive(`no decision for the old password on ${iface} after the change: ${withOld.detail}`, iface);
      continue;
    }
    noted(ctx.check(`old password refused on ${iface} after the change`, {
      expected: 'refused',
      actual: `${withOld.outcome}: ${withOld.detail}`,
      passed: withOld.outcome !== 'accepted',
      iface,
      reason: `old password still accepted on ${iface} after the password was changed`,
    }));
  }

  if (policy.history > 0 && !ctx.signal.aborted) {
    // Going straight back to the previous password is what the history rule forbids; if the
    // device allows it, this is also the restore.
    const back = await change(before, 'the previous password');
    noted(ctx.check('reuse of the previous password refused', {
      expected: `refused (declared history ${policy.history})`,
      actual: back.effect,
      passed: back.effect === 'unchanged',
      iface: on,
      reason: `password reuse accepted on ${on}: the previous password was set again right after a change (declared history ${policy.history})`,
    }));
  }
  if (clean) ctx.pass(`password policy holds (length ${policy.minLength}, ${policy.minClasses} classes, history ${policy.history}); after a change the old password is refused on ${sharing.map(([i]) => i).join(', ')}`, on);
}
