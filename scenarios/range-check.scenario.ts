import { accessUnavailable, concludeRangeInterface } from '../harness/oracles/range-conclusion.js';
import { openRangeObservers } from '../harness/oracles/range-observers.js';
import { PointProbe } from '../harness/oracles/range-probe.js';
import { declaredReaction } from '../harness/oracles/range-reaction.js';
import type { PointAccess, PointRef } from '../harness/protocols/capabilities/point-access.js';
import { pointInterfaces, type PointInterface } from '../harness/protocols/registry.js';
import type { ResolvedAccount } from '../harness/profile/secrets.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';

/*
 * L2.021 "verify commands are in the allowed range before acting": for every declared point with a
 * range and every interface with the points capability (Modbus TCP/RTU FC06 and FC16, MQTT command,
 * OPC UA write, console command), harness/oracles/range-probe.ts runs control → probes → restore.
 *
 * Decisions:
 * - Judged by effect: read-back and the field monitor decide; the reply only tells rejected from
 *   silently ignored. Stored out-of-range value → FAIL. Safe but not the declared reaction (clamped
 *   where reject is declared, silently ignored, a Modbus exception outside rejectCodes) → FAIL too:
 *   the declared reaction is the device's contract ("defined anomaly behaviour"), and a master's
 *   alarm handling depends on it. Undecidable effect → INCONCLUSIVE.
 * - Alerts: when the profile declares policy.alerts.mqttTopic, every rejected out-of-range write must
 *   be matched by an alert message there (counted, not parsed) or the point × interface FAILS
 *   (MITRE M0818: "... while also logging or alerting"). Clamps and wrong-type refusals are not
 *   required to alert. Without a declared topic alerts are not checked (the report has no alert
 *   measurement then).
 * - Wrong type: text where a number belongs must be refused whatever the range reaction is; Modbus
 *   has no types (recorded as not applicable).
 */

/** Device operations per point and interface: controls, and per probe re-arm + write + monitor + read-back. */
const OPS_PER_POINT = 30;
/** Operations of a teardown restore on a fresh access: connect and log in, write, read back. */
const RESTORE_OPS = 6;

/** The points this check can probe: writable numbers with at least one declared limit. */
export function rangePoints(t: TargetProfile): PointRef[] {
  return Object.entries(t.policy.points)
    .filter(([, p]) => p.writable && p.type === 'number' && (p.min !== undefined || p.max !== undefined))
    .map(([name, spec]) => ({ name, spec }));
}

export default scenario({
  id: 'range-check',
  title: 'Out-of-range and wrong-type commands are rejected (or clamped) as declared and never reach the process',
  requirements: [
    'CPSF:L2.021',
    'PlantIoT:2-3',
    'JSSEC:No.45',
    'IEC62443-4-2:CR3.5',
    'IEC62443-4-2:CR3.6',
    'EN303645:5.13-1',
  ],
  checks: [
    'per writable point and interface: out-of-range writes (max+1, min-1, per Modbus function code FC06 and FC16) meet the declared reaction (reject, clamp, ignore)',
    'nothing out of range reaches the process (read-back and the independent field monitor)',
    'a rejected write raises an alert on the declared alert destination',
    'original values restored',
  ],
  interfaces: { capability: 'points' },
  changesState: true,
  budgetMs: (t) => {
    const n = rangePoints(t).length;
    const present = pointInterfaces(t);
    const perIface = present.reduce((sum, pi) => sum + pi.points.timeoutMs(t) * (4 + n * OPS_PER_POINT), 0);
    const monitor = t.monitor ? present.length * n * OPS_PER_POINT * t.monitor.timeoutMs : 0;
    return 30_000 + perIface + monitor;
  },
  notApplicableWhen: (t) => (rangePoints(t).length === 0 ? 'the profile declares no writable numeric point with a range (policy.points)' : undefined),
  async run(ctx) {
    const t = ctx.target;
    const points = rangePoints(t);
    // Alerts are read by an account allowed to read the alert topic (admins first).
    const topic = t.policy.alerts?.mqttTopic;
    const reader = topic && ctx.has('mqtt') ? [...ctx.accounts('mqtt', { reads: topic })].sort((a, b) => Number(b.admin) - Number(a.admin))[0] : undefined;
    const observers = (await ctx.judge((out) => openRangeObservers(t, reader, points, ctx.channelCtx, out)))!;
    for (const c of observers.closeables) ctx.track(c);
    const byIface = new Map(pointInterfaces(t).map((pi) => [pi.iface, pi]));
    // Writes go through the admin the profile declares on that interface (NOT_APPLICABLE there without one).
    const open = (pi: PointInterface, account: ResolvedAccount | undefined, signal: AbortSignal) => pi.points.open(t, pi.iface, account, { evidence: ctx.evidence, signal });

    await ctx.forEachInterface([...byIface.keys()], async (iface) => {
      const pi = byIface.get(iface)!;
      const path = pi.points.path(iface);
      const account = pi.points.needsAccount ? ctx.account(iface, { role: 'admin' }) : undefined;
      let access: PointAccess;
      try {
        access = ctx.track(await open(pi, account, ctx.signal));
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        await ctx.judge((out) => accessUnavailable(path, e, out));
        return;
      }
      const tally = { path, probed: [] as string[], probes: 0, alertsWatched: !!observers.alerts };
      for (const point of points) {
        const why = access.unsupported(point);
        if (why) {
          ctx.log(`${point.name} on ${path}: not probed (${why})`);
          continue;
        }
        const declared = declaredReaction(point.spec, pi.points.reactionKey);
        const probe = new PointProbe({
          signal: ctx.signal,
          access,
          point,
          declared,
          declaredFor: (method) => declaredReaction(point.spec, pi.points.reactionKey, method),
          ...(observers.monitor ? { monitor: observers.monitor } : {}),
          safeOutputs: t.policy.safeState?.outputs ?? [],
          ...(t.policy.safeState ? { watchdogMs: t.policy.safeState.watchdogMs } : {}),
          ...(observers.alerts ? { alerts: observers.alerts } : {}),
          // Teardown runs after the scenario's own channels and budget are gone: a fresh access with its own deadline.
          reopen: () => open(pi, account, AbortSignal.timeout(RESTORE_OPS * pi.points.timeoutMs(t))),
          restorations: ctx.restorations,
        });
        ctx.defer(`restore ${point.name} on ${path}`, () => ctx.judge((out) => probe.restoreIfNeeded(out)));
        try {
          // Whatever the probe proved before a throw is recorded first (FAIL before the ERROR).
          const s = await ctx.judge((out) => probe.run(out));
          tally.probes += s.probes;
          tally.probed.push(`${point.name} (${declared})`);
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          ctx.recordException(e, path);
        }
      }
      await ctx.judge((out) => concludeRangeInterface(tally, ctx.verdicts, out));
    });
  },
});
