/**
 * Default credentials and password policy (CPSF L2.005, plant-IoT manual 2-3).
 *
 * Part 1, every login interface (console, MQTT, OPC UA): positive control with an account the
 * profile declares on that interface (NOT_APPLICABLE there without one), then every vendor/well-known default from `credentials.defaults`. A login counts
 * only when an authenticated-only action worked (AuthOutcome 'accepted'). 'restricted' (logs in,
 * can do nothing but change the password) is tolerated only when the profile declares
 * `defaultCredential: must-change`. After each refused default that names one of the profile's
 * accounts, that account logs in once with its real password: a positive control before the next
 * probe, and it resets the failure counter so the defaults never lock the account.
 *
 * Part 2, password policy (profile declares `passwordPolicy`, the console has `changePassword`,
 * and `allowStateChanges` is set; otherwise it is skipped and the PASS reason says so): on a
 * non-admin account of the changing interface when there is one (changing the admin's password is
 * what a lab can least afford to get wrong), else its admin. Probes, each judged by effect (which password logs in after):
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
import { isRefusal, type AuthAttempt } from '../harness/protocols/capabilities/auth-surface.js';
import type { ClosableSurface } from '../harness/protocols/protocol.js';
import { loginInterfaces } from '../harness/protocols/registry.js';
import { changeInterface, logAttempt, passwordPartAttempts, passwordPolicyPart } from './password-policy-checks.js';
import type { ResolvedAccount } from '../harness/profile/secrets.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';
import type { ScenarioContext } from '../harness/runner/scenario-context.js';

type AuthIface = string;

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
  checks: [
    'positive control: a declared account logs in on each login interface',
    'no vendor or well-known default credential logs in (judged by an authenticated-only action), on every login interface',
    'a default that only allows a password change is tolerated only where declared (defaultCredential: must-change)',
    'password policy (where declared and state changes allowed): too short, too few character classes and reuse refused; a strong change takes effect on every interface; the original is restored',
  ],
  interfaces: { capability: 'login' },
  // The default-credential probes change nothing; the password-change part is gated on
  // allowStateChanges inside run(), so a lab that forbids changes still gets part 1.
  changesState: false,
  budgetMs,
  async run(ctx) {
    const t = ctx.target;
    const surfaces: Map<AuthIface, ClosableSurface> = ctx.logins();

    await ctx.forEachInterface([...surfaces.keys()], async (iface) => {
      // Each interface's own accounts: the positive control (an admin where there is one) and the
      // real accounts whose failure counters the defaults must not push to a lock.
      const account = ctx.account(iface, { any: true, prefer: 'admin' });
      await defaultsOn(ctx, iface, surfaces.get(iface)!, account, ctx.accounts(iface));
    });

    await passwordPolicyPart(ctx, surfaces);
  },
});

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
