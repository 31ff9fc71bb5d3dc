/**
 * Default credentials and password policy (CPSF L2.005, plant-IoT manual 2-3).
 *
 * Part 1, every login interface (console, MQTT, OPC UA): positive control with the profile's
 * own account, then every vendor/well-known default from `credentials.defaults`. A login counts
 * only when an authenticated-only action worked (AuthOutcome 'accepted'). 'restricted' (logs in,
 * can do nothing but change the password) is tolerated only when the profile declares
 * `defaultCredential: must-change`. After each refused default that names one of the profile's
 * accounts, that account logs in once with its real password: a positive control before the next
 * probe, and it resets the failure counter so the defaults never lock the account.
 *
 * Part 2, password policy (profile declares `passwordPolicy`, the console has `changePassword`,
 * and `allowStateChanges` is set; otherwise it is skipped and the PASS reason says so): on the
 * `user` account when there is one (changing the admin's password is what a lab can least afford
 * to get wrong), else the admin. Probes, each judged by effect (which password logs in after):
 * too short, too few character classes, reuse of the current password (reply only: reuse leaves
 * nothing to observe), a strong change verified on EVERY interface (new works, old refused), and
 * reuse of the previous password (must be refused when history > 0).
 *
 * Restoring: the original password is in the device's history right after a change, so a plain
 * change back is refused by exactly the devices this checks. The scenario steps through fresh
 * intermediate passwords (history count) and then the original (restorePassword), in teardown,
 * whatever happened. Intermediate passwords are derived from the original and a per-run nonce
 * (recorded in the evidence), so a lab can recompute the current password if a device blocks
 * the restore (e.g. a minimum password age) without the harness ever writing a secret down.
 */
import { randomBytes } from 'node:crypto';
import { isRefusal, type AuthAttempt } from '../harness/protocols/capabilities/auth-surface.js';
import type { ClosableSurface } from '../harness/protocols/protocol.js';
import { loginInterfaces, type LoginInterface } from '../harness/protocols/registry.js';
import { restorePassword, strongPassword, tooFewClassesPassword, tooShortPassword } from '../harness/oracles/password-change.js';
import type { ChangeOutcome, PasswordChanger } from '../harness/protocols/capabilities/password-changer.js';
import type { ResolvedAccount } from '../harness/profile/secrets.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';
import { VerdictStop, type ScenarioContext } from '../harness/runner/scenario-context.js';

type AuthIface = string;

/** Restoring may take 3 attempts per change, for history + 3 changes. */
function passwordPartAttempts(t: TargetProfile): number {
  const h = t.policy.passwordPolicy?.history ?? 0; // no policy: no history to step through
  return 5 * 4 + 3 * (h + 3);
}

function budgetMs(t: TargetProfile): number {
  const defaults = t.credentials.defaults.length;
  let ms = 10_000;
  const logins = loginInterfaces(t);
  for (const { login } of logins) ms += (2 + 2 * defaults) * login.attemptBoundMs(t) + 2 * login.attemptBoundMs(t);
  const changing = t.policy.passwordPolicy && changeInterface(t);
  if (changing) ms += passwordPartAttempts(t) * changing.login.attemptBoundMs(t);
  // One wait-out of a lock, should the probes trip one anyway.
  const l = t.policy.lockout;
  if (l) ms += l.durationMs + l.toleranceMs;
  return ms;
}

/** The first login interface on which the profile declares how to change a password. */
function changeInterface(t: TargetProfile): LoginInterface | undefined {
  return loginInterfaces(t).find((li) => li.login.passwords?.declared(t));
}

const fmt = (d: { username: string; password: string }) => `${d.username}/${d.password}`;

export default scenario({
  id: 'default-credentials',
  title: 'Vendor default and well-known credentials are refused; password policy holds; old password refused everywhere after a change',
  requirements: [
    'CPSF:L2.005',
    'PlantIoT:2-3',
    'IEC62443-4-2:CR1.5',
    'IEC62443-4-2:CR1.7',
    'EN303645:5.1-1',
    'EN303645:5.1-2',
    'NISTIR8259A:LAI-2',
  ],
  interfaces: { capability: 'login' },
  // The default-credential probes change nothing; the password-change part is gated on
  // allowStateChanges inside run(), so a lab that forbids changes still gets part 1.
  changesState: false,
  budgetMs,
  async run(ctx) {
    const t = ctx.target;
    const account = ctx.secrets.admin ?? ctx.secrets.user;
    if (!account) throw new VerdictStop('ERROR', 'the profile declares no account (credentials.admin/user): no positive control is possible');
    const surfaces: Map<AuthIface, ClosableSurface> = ctx.logins();
    const known = [ctx.secrets.admin, ctx.secrets.user].filter((a): a is ResolvedAccount => !!a);

    await ctx.forEachInterface([...surfaces.keys()], async (iface) => {
      await defaultsOn(ctx, iface, surfaces.get(iface)!, account, known);
    });

    await passwordPolicyPart(ctx, surfaces);
  },
});

function logAttempt(ctx: ScenarioContext, iface: AuthIface, what: string, a: AuthAttempt): void {
  ctx.log(`[${iface}] ${what}: ${a.outcome} (${a.detail}, ${a.durationMs} ms)`, { iface, outcome: a.outcome });
}

/** A good login: the control before the next probe, and a reset of the account's failure counter. */
async function goodLogin(ctx: ScenarioContext, iface: AuthIface, s: ClosableSurface, acct: ResolvedAccount, why: string): Promise<AuthAttempt> {
  let a = await s.attempt(acct.username, acct.password, ctx.signal);
  logAttempt(ctx, iface, `${acct.username} with its password (${why})`, a);
  const lock = ctx.target.policy.lockout;
  if (isRefusal(a.outcome) && lock) {
    // The probes should never reach the threshold; if a device counts differently, wait the lock out once.
    ctx.log(`[${iface}] ${acct.username} refused: waiting out a possible lock (${lock.durationMs + lock.toleranceMs} ms)`);
    await ctx.sleep(lock.durationMs + lock.toleranceMs);
    a = await s.attempt(acct.username, acct.password, ctx.signal);
    logAttempt(ctx, iface, `${acct.username} with its password (after waiting)`, a);
  }
  return a;
}

async function defaultsOn(ctx: ScenarioContext, iface: AuthIface, s: ClosableSurface, acct: ResolvedAccount, known: ResolvedAccount[]): Promise<void> {
  const declared = ctx.target.policy.defaultCredential;
  const control = await goodLogin(ctx, iface, s, acct, 'positive control');
  ctx.control(`${acct.username} logs in on ${iface}`, {
    passed: control.outcome === 'accepted',
    actual: control.detail,
    iface,
    reason: `positive control failed: the profile's ${acct.role} account did not log in on ${iface} (${control.outcome}: ${control.detail})`,
  });
  let clean = true;
  for (const d of ctx.target.credentials.defaults) {
    const a = await s.attempt(d.username, d.password, ctx.signal);
    logAttempt(ctx, iface, `default ${fmt(d)}${d.source ? ` (${d.source})` : ''}`, a);
    const label = `${fmt(d)}${d.source ? ` (${d.source})` : ''}`;
    if (a.outcome === 'error') {
      clean = false;
      ctx.inconclusive(`no decision for default ${fmt(d)} on ${iface}: ${a.detail}`, iface);
      continue;
    }
    const restrictedOk = a.outcome === 'restricted' && declared === 'must-change';
    const refused = isRefusal(a.outcome);
    const ok = ctx.check(`default ${fmt(d)} refused on ${iface}`, {
      expected: declared === 'must-change' ? 'refused, or only a password change possible' : 'refused',
      actual: `${a.outcome}: ${a.detail}`,
      passed: refused || restrictedOk,
      iface,
      reason:
        a.outcome === 'accepted'
          ? `${label} accepted on ${iface}`
          : `${label} logs in on ${iface} with restricted access (${a.detail}) although the profile declares defaultCredential '${declared}'`,
    });
    if (restrictedOk) ctx.log(`[${iface}] ${fmt(d)} logs in but only for a password change, as declared (must-change)`);
    clean &&= ok;
    // Keep the failure counter of a real account below any threshold, and prove it still logs in.
    const acc = known.find((k) => k.username === d.username);
    if (acc && a.outcome !== 'accepted') {
      const g = await goodLogin(ctx, iface, s, acc, 'control after a refused default');
      ctx.control(`${acc.username} still logs in on ${iface}`, {
        passed: g.outcome === 'accepted',
        actual: g.detail,
        iface,
        reason: `the profile's ${acc.role} account stopped logging in on ${iface} during the default-credential probes (${g.outcome}: ${g.detail})`,
      });
    }
  }
  if (clean) {
    const n = ctx.target.credentials.defaults.length;
    ctx.pass(n ? `none of the ${n} default credentials logs in on ${iface}` : `no default credentials declared to try on ${iface}; own account works`, iface);
  }
}

/** Why the password-change part does not run, or undefined when it does. */
function passwordPartSkip(t: TargetProfile): string | undefined {
  if (!t.policy.passwordPolicy) return 'the profile declares no passwordPolicy';
  if (!changeInterface(t)) return 'the profile declares no console changePassword command';
  if (!t.allowStateChanges) return 'allowStateChanges is false (changing a password is a state change)';
  return undefined;
}

async function passwordPolicyPart(ctx: ScenarioContext, surfaces: Map<AuthIface, ClosableSurface>): Promise<void> {
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
  const acct = (ctx.secrets.user ?? ctx.secrets.admin)!;
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
  for (const [iface, s] of surfaces) {
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
  if (clean) ctx.pass(`password policy holds (length ${policy.minLength}, ${policy.minClasses} classes, history ${policy.history}); after a change the old password is refused on ${[...surfaces.keys()].join(', ')}`, on);
}
