/**
 * Login-failure lockout (CPSF L2.007, IEC 62443-4-2 CR 1.11, EN 303 645 5.1-5): the OWASP
 * WSTG-ATHN-03 boundary walk (harness/oracles/lockout-walk.ts) on every interface the profile
 * lists in `policy.lockout.interfaces` that the target has: positive control, N-1 failures then
 * a good login (works), N failures then a good login (refused), a probe just before the declared
 * duration T (still refused), then polling from T until the good login works again. Measures the
 * actual threshold and lock duration per interface (limits: = N, within [T, T + tolerance]).
 *
 * - Account: per interface, the least privileged account the profile declares there (locking the
 *   admin is a denial-of-service risk on a real device); NOT_APPLICABLE on an interface without one.
 * - Alert reader: an account whose role may read the alert topic (admins first, so the watcher is
 *   not the account being locked), subscribed before the walks; the lock alert is recognised by
 *   `policy.alerts.match` on `payloadKey` (default: "lock" anywhere in the payload).
 * - Then, on a second lock (harness/oracles/lockout-episode.ts), each its own check: the counter
 *   survives reconnecting (N failures each on a NEW connection: a console line is closed and
 *   reopened before each; MQTT and OPC UA open one per attempt), the lock's scope as declared
 *   (another account logs in during a per-account lock), and wrong passwords during the lock do
 *   not extend it (unless `extendsOnAttempt`). Console endpoints declared as sharing accounts must
 *   share the counter: N failures spread over both lock both (harness/oracles/lockout-shared.ts).
 * - Alert: where the profile declares an alert destination (policy.alerts) the target has, a
 *   message about the lock must arrive within ALERT_WINDOW_MS of the N-th failure.
 * - No lockout declared: L2.007 requires one, so no NOT_APPLICABLE: each interface is probed with
 *   a reference threshold of 10, the top of NIST SP 800-53 AC-7's usual range
 *   (harness/oracles/lockout-undeclared.ts).
 * - Concurrency: walks run one after another unless the profile declares groups of interfaces with
 *   independent counters (policy.lockout.independentCounters): then one lane per group, the lanes
 *   at the same time (harness/oracles/lockout-lanes.ts); every record names its interface.
 * - Waits follow the declared durations and end when the good login works again; within a lane
 *   the walk already ended with the account usable (the lock is shared across interfaces on many
 *   devices), and teardown waits, bounded by T + tolerance, until a good login works.
 */
import type { AlertFeed } from '../harness/protocols/capabilities/alerts.js';
import type { ClosableSurface } from '../harness/protocols/protocol.js';
import { alertSource, loginInterfaces, type LoginInterface } from '../harness/protocols/registry.js';
import { acceptedPastThreshold, lockHeldPast, lockOverBefore, lockoutWalk, type LockoutPolicy, type LockoutWalkResult } from '../harness/oracles/lockout-walk.js';
import { FailureLog, lockAlertJudgement } from '../harness/oracles/lockout-alert.js';
import { holdsConnection, lockEpisode } from '../harness/oracles/lockout-episode.js';
import { lockoutLanes, runLanes } from '../harness/oracles/lockout-lanes.js';
import { sharedCounterCheck, sharingEndpoints } from '../harness/oracles/lockout-shared.js';
import { untilUsable } from '../harness/oracles/lockout-wait.js';
import { undeclaredLockProbe } from '../harness/oracles/lockout-undeclared.js';
import type { ResolvedAccount } from '../harness/profile/secrets.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';
import type { MeasurementSpec, ScenarioContext } from '../harness/runner/scenario-context.js';

/** How long after the N-th failure an alert may take to arrive. */
export const ALERT_WINDOW_MS = 5_000;
/** Probe threshold when the profile declares no lockout. */
export const REFERENCE_THRESHOLD = 10;
/** A wrong password that no policy-conforming account has. */
const BAD_PASSWORD = 'hil-wrong-Passw0rd';

type AuthIface = string;

/** Login interfaces the declared lock covers (every login interface when no lockout is declared). */
function lockIfaces(t: TargetProfile): LoginInterface[] {
  const declared = t.policy.lockout?.interfaces;
  return loginInterfaces(t).filter((i) => !declared || declared.includes(i.protocol.name) || declared.includes(i.iface));
}

function budgetMs(t: TargetProfile): number {
  const l = t.policy.lockout;
  const n = l?.threshold ?? REFERENCE_THRESHOLD;
  const lockWait = l ? l.durationMs + l.toleranceMs : 0;
  let ms = 15_000 + ALERT_WINDOW_MS;
  // Walk worst case: control, 2 rounds below N, N at threshold, the late-lock search (k = N+1..2N
  // failures plus a good login each), polls; plus two lock wait-outs.
  const late = (3 * n * n + 5 * n) / 2;
  // Then the lock episode (reconnect, scope, extension: 2N + 8 attempts, polls over up to 3 lock
  // waits) per interface, and the shared-counter check (N + 3 attempts, polls over 2 lock waits) per pair.
  for (const i of lockIfaces(t)) ms += (6 * n + late + 16) * i.login.attemptBoundMs(t) + 5 * lockWait + 2 * ALERT_WINDOW_MS + 4_000;
  if (l) ms += sharingEndpoints(t, lockIfaces(t).map((i) => i.iface)).length * ((n + 3) * Math.max(...lockIfaces(t).map((i) => i.login.attemptBoundMs(t))) + 2 * lockWait + 2_000);
  return ms;
}

export default scenario({
  id: 'lockout',
  title: 'Login-failure lockout engages at the declared threshold, lasts the declared duration, and raises an alert',
  requirements: [
    'CPSF:L2.007',
    'PlantIoT:2-3',
    'JSSEC:No.45',
    'IEC62443-4-2:CR1.11',
    'IEC62443-4-2:CR2.8',
    'EN303645:5.1-5',
    'NISTIR8259A:LAI-3',
  ],
  checks: [
    'lockoutThreshold: N-1 failures then the right password works; N failures then it is refused',
    'lockoutDuration: the right password is refused while locked; the lock lasts within [T, T + tolerance]',
    'lockoutSurvivesReconnect: the failure counter survives reconnecting (failures spread over new connections / serial reopen)',
    'lockoutSharedCounter: console endpoints declared as sharing accounts share the counter',
    'lockoutScope: scope as declared (another account logs in during a per-account lock)',
    'lockoutNotExtended: attempts during the lock do not extend it (unless declared)',
    'lockAlertLatency: a lock alert arrives on the declared alert destination',
  ],
  interfaces: { capability: 'login' },
  changesState: true,
  budgetMs,
  async run(ctx) {
    const t = ctx.target;
    // Least privileged first; an admin only where the interface has nothing else.
    const acctOn = (iface: AuthIface): ResolvedAccount => {
      const a = ctx.account(iface);
      if (a.admin) ctx.log(`[${iface}] no non-admin account declared: walking the lockout with the admin ${a.username} (a denial-of-service risk on a real device)`);
      return a;
    };
    const ifaces = lockIfaces(t).map((i) => i.iface);
    if (!ifaces.length) {
      ctx.notApplicable(`the target has none of the lockout interfaces the profile declares (${t.policy.lockout?.interfaces.join(', ')})`);
      return;
    }
    const surfaces: Map<AuthIface, ClosableSurface> = ctx.logins(ifaces);
    const l = t.policy.lockout;
    if (!l) return undeclared(ctx, surfaces, acctOn);
    // Walks overlap only where the profile declares the counters independent (one lane otherwise).
    const lanes = lockoutLanes(t, ifaces);
    if (lanes.length > 1) ctx.log(`lockout walks in ${lanes.length} concurrent lanes (policy.lockout.independentCounters): ${lanes.map((lane) => lane.join(' then ')).join(' | ')}`);
    // Per lane, set when a walk may have left the account locked (it locked and was not seen to unlock).
    const lockedOn = new Map<number, { iface: AuthIface; acct: ResolvedAccount }>();
    // Teardown waits out a whole lock plus a few attempts: bounded by the declared timings, not a fixed figure.
    const unlockWaitMs = (iface: AuthIface) => l.durationMs + l.toleranceMs + 2 * lockIfaces(t).find((i) => i.iface === iface)!.login.attemptBoundMs(t);
    ctx.defer(
      'wait until a locked account logs in again',
      async () => {
        await Promise.all([...lockedOn.values()].map((lk) => waitUsable(ctx, surfaces.get(lk.iface)!, lk.acct, l.durationMs + l.toleranceMs, AbortSignal.timeout(unlockWaitMs(lk.iface)))));
      },
      { timeoutMs: Math.max(...ifaces.map(unlockWaitMs)) + 1000 },
    );

    const alerts = await alertWatch(ctx);
    // Wrong passwords per lane, so a lock alert is not credited to the lock of a walk beside it.
    const failures = new FailureLog();
    const policy: LockoutPolicy = { threshold: l.threshold, durationMs: l.durationMs, toleranceMs: l.toleranceMs, resetOnSuccess: l.resetOnSuccess };
    await runLanes(lanes, async (lane, n) => {
      const surfaceOf = (iface: AuthIface) => failures.watch(surfaces.get(iface)!, n, BAD_PASSWORD);
      // Interfaces whose walk showed the declared lock (the shared-counter check builds on them).
      const lockWorks = new Set<AuthIface>();
      await ctx.forEachInterface(lane, async (iface) => {
        const acct = acctOn(iface);
        const surface = surfaceOf(iface);
        // A lock left by the lane's previous walk may cover this interface too (one account database), when it is the same account.
        if (lockedOn.get(n)?.acct.username === acct.username) await waitUsable(ctx, surface, acct, l.durationMs + l.toleranceMs, ctx.signal);
        lockedOn.delete(n);
        // A surface without close() connects per attempt (MQTT): a lock there also shows reconnecting does not reset the counter.
        if (!holdsConnection(surface)) ctx.log(`[${iface}] every attempt uses a fresh connection: a lock at N also shows reconnecting does not reset the counter`, { iface });
        let lockAt: number | undefined;
        const walk = await lockoutWalk(policy, {
          surface,
          username: acct.username,
          good: acct.password,
          bad: BAD_PASSWORD,
          signal: ctx.signal,
          sleep: (ms) => ctx.sleep(ms),
          onStep: (s) => {
            // The N-th failure may be processed any time during its attempt: date the lock from its start.
            if (s.label === `threshold bad #${l.threshold}`) lockAt = Date.now() - s.durationMs;
            ctx.log(`[${iface}] ${s.label}: ${s.outcome} (${s.detail}) at ${s.atMs} ms`, { iface, step: s });
          },
        });
        const locked = walk.lockedAtThreshold || walk.measuredThreshold !== undefined;
        if (locked && walk.steps.at(-1)?.outcome !== 'accepted') lockedOn.set(n, { iface, acct });
        judge(ctx, iface, policy, walk);
        const owner = { username: acct.username, rivals: (from: number, to: number) => failures.others(n, from, to) };
        if (alerts && walk.lockedAtThreshold && lockAt !== undefined) await ctx.judge((out) => lockAlertJudgement(t, iface, alerts, lockAt!, ALERT_WINDOW_MS, (ms) => ctx.sleep(ms), owner, out));
        // The rest of the promise needs a lock that holds as declared and has ended (the walk proved both).
        if (!walk.lockedAtThreshold || walk.undecided || lockedOn.has(n)) return;
        lockWorks.add(iface);
        const other = ctx.accounts(iface).find((a) => a.username !== acct.username);
        lockedOn.set(n, { iface, acct });
        const episode = { threshold: l.threshold, durationMs: l.durationMs, toleranceMs: l.toleranceMs, scope: l.scope, extendsOnAttempt: l.extendsOnAttempt };
        const io = { surface, iface, username: acct.username, good: acct.password, bad: BAD_PASSWORD, other, signal: ctx.signal, sleep: (ms: number) => ctx.sleep(ms), log: (text: string) => ctx.log(text, { iface }) };
        const ep = await ctx.judge((out) => lockEpisode(episode, io, out));
        if (ep?.usable) lockedOn.delete(n);
      });

      // The counter shared by the console endpoints declared as sharing accounts (failures spread over them; always one lane).
      for (const pair of sharingEndpoints(t, [...lockWorks])) {
        if (ctx.signal.aborted) break;
        const acct = acctOn(pair[0]);
        if (!ctx.accounts(pair[1]).some((a) => a.username === acct.username)) {
          ctx.log(`shared counter of ${pair.join(' and ')} not checked: ${acct.username} is not declared on ${pair[1]}`, { iface: pair[0] });
          continue;
        }
        const prev = lockedOn.get(n);
        if (prev) await waitUsable(ctx, surfaceOf(prev.iface), prev.acct, l.durationMs + l.toleranceMs, ctx.signal);
        lockedOn.set(n, { iface: pair[0], acct });
        const endpoints = pair.map((iface) => ({ iface, surface: surfaceOf(iface) }));
        const io = { endpoints, username: acct.username, good: acct.password, bad: BAD_PASSWORD, signal: ctx.signal, sleep: (ms: number) => ctx.sleep(ms), log: (text: string, iface: string) => ctx.log(text, { iface }) };
        const r = await ctx.judge((out) => sharedCounterCheck(l, io, out));
        if (r?.usable) lockedOn.delete(n);
      }
    });
  },
});

/**
 * The lockout promise of one interface as declared measurements: limits from the profile, the
 * reason of a FAIL from the measured value.
 */
function lockoutSpecs(iface: AuthIface, p: LockoutPolicy, w: LockoutWalkResult) {
  const n = p.threshold;
  const max = p.durationMs + p.toleranceMs;
  const threshold: MeasurementSpec<number | null> = {
    name: `lockoutThreshold[${iface}]`,
    unit: 'failures',
    limits: { equals: n },
    iface,
    failReason: (v) =>
      v === null
        ? `good password still accepted on ${iface} after ${n} failed logins (no lockout${w.probedUpTo ? `; none up to ${w.probedUpTo}` : ''})`
        : v < n
          ? `good password refused on ${iface} after only ${v} failed logins (declared threshold ${n})`
          : `lock engages on ${iface} only after ${v} failed logins (declared ${n})`,
  };
  // The lock may have begun before the N-th failure's reply (a fail delay): a lock is only shown
  // short when it is short even counted from when that failure was sent.
  const early = w.lockStartUncertaintyMs ?? 0;
  // Too long is proven only by a refusal that began after T + tolerance; otherwise the gap before the
  // accept (the harness's own delay, or a poll across the limit) leaves it open: INCONCLUSIVE.
  const seen = w.refusedUntilMs;
  const overrunUnproven = (v: number | null) => (v === null || v > max) && !lockHeldPast(w, max);
  const min = p.durationMs - early;
  // Likewise short only when the accepted login had ended before the declared duration.
  const shortUnproven = (v: number | null) => v !== null && v < min && !lockOverBefore(w, min);
  const unproven = (v: number | null) => overrunUnproven(v) || shortUnproven(v);
  const duration: MeasurementSpec<number | null> = {
    name: `lockoutDuration[${iface}]`,
    unit: 'ms',
    limits: { min, max },
    iface,
    ...(unproven(w.measuredLockMs ?? null) ? { onFail: 'INCONCLUSIVE' as const } : {}),
    failReason: (v) =>
      shortUnproven(v)
        ? `lock on ${iface}: a login begun ${v} ms after the lock began was accepted, but it ended only ${w.acceptedByMs} ms after, past the declared ${p.durationMs} ms: whether the device decided before it is not shown (the attempt's time is the harness's)`
        : overrunUnproven(v)
        ? `lock on ${iface}: last refused ${seen ?? '?'} ms after the lock began, ${v === null ? 'no login accepted after' : `accepted ${v} ms after`}; no attempt between them shows whether it ended by the declared ${p.durationMs} ms + ${p.toleranceMs} ms (the gap is the harness's, not the device's)`
        : v === null
        ? `account still locked on ${iface} well after the declared ${p.durationMs} ms + ${p.toleranceMs} ms tolerance`
        : v < p.durationMs - early
          ? `lock on ${iface} ended after ${v} ms${early ? ` (at most ${v + early} ms counted from sending the last failure)` : ''}, before the declared ${p.durationMs} ms`
          : `lock on ${iface} lasted ${v} ms, outside the declared ${p.durationMs} ms + ${p.toleranceMs} ms tolerance`,
  };
  return { threshold, duration };
}

/** Turn a walk into the interface's measurements and verdict. */
function judge(ctx: ScenarioContext, iface: AuthIface, p: LockoutPolicy, w: LockoutWalkResult): void {
  const badAccepted = w.steps.find((s) => s.password === 'bad' && s.outcome === 'accepted');
  if (badAccepted) return ctx.fail(`wrong password accepted on ${iface} (${badAccepted.detail}): there is no authentication to lock`, iface);
  ctx.control(`good login works on ${iface}`, {
    passed: w.controlOk,
    actual: w.steps[0]?.detail ?? 'no attempt',
    iface,
    reason: `positive control failed: the good password did not log in on ${iface} before the walk (${w.steps[0]?.outcome}: ${w.steps[0]?.detail})`,
  });
  const spec = lockoutSpecs(iface, p, w);
  if (w.undecided) {
    // What the walk proved before the undecided attempt stands (FAIL first): a good login accepted
    // at or past the threshold is no lockout, whatever the line did afterwards.
    const late = acceptedPastThreshold(w, p.threshold);
    if (late.length) ctx.check(spec.threshold.name, { expected: `good login refused after ${p.threshold} failures`, actual: late.map((s) => `${s.label}: accepted`), passed: false, iface, reason: `good password still accepted on ${iface} after ${late.map((s) => s.label.replace(/\D+/g, ' ').trim()).join(', ')} failed logins (no lockout at the declared ${p.threshold})` });
    else if (w.measuredThreshold !== undefined) ctx.assess(spec.threshold, w.measuredThreshold);
    return ctx.inconclusive(`an attempt gave no decision during the lockout walk on ${iface}: ${w.undecided}`, iface);
  }
  if (!ctx.assess(spec.threshold, w.measuredThreshold ?? null)) return;
  if (!ctx.assess(spec.duration, w.measuredLockMs ?? null)) return;
  ctx.pass(`locks at ${p.threshold} failures, unlocks after ${w.measuredLockMs} ms (declared ${p.durationMs} ms + ${p.toleranceMs} ms)`, iface);
}

/**
 * Subscribe to the declared alert destination BEFORE any walk, as an account allowed to read it
 * (admins first: the watcher should not be an account a walk locks); undefined when none is declared.
 */
async function alertWatch(ctx: ScenarioContext): Promise<AlertFeed | undefined> {
  const source = alertSource(ctx.target);
  if (!source) {
    ctx.log('lock alert not checked: the profile declares no alert destination the target has (policy.alerts)');
    return undefined;
  }
  const iface = source.protocol.name;
  const reader = [...ctx.accounts(iface, { reads: source.destination })].sort((a, b) => Number(b.admin) - Number(a.admin))[0];
  if (!reader) {
    ctx.notApplicable(`lock alert not checked: the profile declares no account on ${iface} whose role may read ${source.destination} (accounts, roles.<r>.mqtt.read)`, iface);
    return undefined;
  }
  try {
    return ctx.track(await source.protocol.alerts!.open(ctx.target, reader, ctx.channelCtx));
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.inconclusive(`could not watch the alert topic ${source.destination} as ${reader.username} (${(e as Error).message}): the lock alert is unchecked`, iface);
    return undefined;
  }
}

/** Poll the good login until it works (the lock is over) or `maxMs` passes. */
async function waitUsable(ctx: ScenarioContext, s: ClosableSurface, acct: ResolvedAccount, maxMs: number, signal: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const w = await untilUsable(s, acct.username, acct.password, { fromMs: 0, untilMs: maxMs, since: () => performance.now() - t0, signal, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), pollMs: 500 });
  ctx.log(w.accepted ? `${acct.username} logs in again on ${s.iface}` : `${acct.username} still does not log in on ${s.iface} after ${maxMs} ms (${w.detail})`, { iface: s.iface });
}

/** No lockout declared: does the good password still work after REFERENCE_THRESHOLD failures? */
async function undeclared(ctx: ScenarioContext, surfaces: Map<AuthIface, ClosableSurface>, acctOn: (iface: AuthIface) => ResolvedAccount): Promise<void> {
  let lockedBy: AuthIface | undefined;
  await ctx.forEachInterface([...surfaces.keys()], async (iface) => {
    if (lockedBy) return ctx.log(`[${iface}] not probed: the account may still be locked by the undeclared lock seen on ${lockedBy}`, { iface });
    const acct = acctOn(iface);
    const io = { surface: surfaces.get(iface)!, iface, username: acct.username, good: acct.password, bad: BAD_PASSWORD, signal: ctx.signal };
    if ((await ctx.judge((out) => undeclaredLockProbe(REFERENCE_THRESHOLD, io, out)))?.locked) lockedBy = iface;
  });
}
