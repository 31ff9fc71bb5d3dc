import { FieldMonitor } from '../harness/protocols/monitor/monitor-channel.js';
import { AlertWatch } from '../harness/protocols/mqtt/alert-watch.js';
import { ACCESS_PATH, openPointAccess, reactionKey, type WritableInterface } from '../harness/protocols/point-access-for.js';
import type { PointAccess, PointRef } from '../harness/protocols/capabilities/point-access.js';
import { probePointOnPath, type PointProbeDeps } from '../harness/oracles/range-probe.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';

/*
 * L2.021 "verify commands are in the allowed range before acting": for every declared point with a
 * range and every interface that maps it (Modbus TCP/RTU FC06 and FC16, MQTT command, OPC UA write,
 * console command), harness/oracles/range-probe.ts runs control → probes → restore.
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
const INTERFACES: WritableInterface[] = ['modbus-tcp', 'modbus-rtu', 'mqtt', 'opcua', 'console'];

/** Device operations per point and interface: controls, and per probe re-arm + write + monitor + read-back. */
const OPS_PER_POINT = 30;

/** The points this check can probe: writable numbers with at least one declared limit. */
export function rangePoints(t: TargetProfile): PointRef[] {
  return Object.entries(t.policy.points)
    .filter(([, p]) => p.writable && p.type === 'number' && (p.min !== undefined || p.max !== undefined))
    .map(([name, spec]) => ({ name, spec }));
}

function opTimeoutMs(t: TargetProfile, iface: WritableInterface): number {
  const i = t.interfaces;
  if (iface === 'modbus-tcp' || iface === 'modbus-rtu') return i.modbus?.timeoutMs ?? 1000;
  return i[iface]?.timeoutMs ?? 3000;
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
  interfaces: INTERFACES,
  changesState: true,
  budgetMs: (t) => {
    const n = rangePoints(t).length;
    const present = INTERFACES.filter((i) => (i === 'modbus-tcp' ? t.interfaces.modbus?.tcp : i === 'modbus-rtu' ? t.interfaces.modbus?.rtu : t.interfaces[i]));
    const perIface = present.reduce((sum, i) => sum + opTimeoutMs(t, i) * (4 + n * OPS_PER_POINT), 0);
    const monitor = t.monitor ? present.length * n * OPS_PER_POINT * t.monitor.timeoutMs : 0;
    return 30_000 + perIface + monitor;
  },
  notApplicableWhen: (t) => (rangePoints(t).length === 0 ? 'the profile declares no writable numeric point with a range (policy.points)' : undefined),
  async run(ctx) {
    const t = ctx.target;
    const points = rangePoints(t);

    // The independent field monitor: the process side of every observation.
    let monitor: PointProbeDeps['monitor'];
    if (t.monitor && points.some((p) => p.spec.monitor)) {
      try {
        monitor = { fm: ctx.track(await FieldMonitor.open(t.monitor, ctx.channelCtx)), cfg: t.monitor };
      } catch (e) {
        ctx.record('ERROR', `the declared field monitor ${t.monitor.modbusTcp} cannot be reached (${(e as Error).message}); judged by read-back alone`);
      }
    }

    // Alerts: watched only where the profile says they appear (policy.alerts.mqttTopic).
    let alerts: AlertWatch | undefined;
    const topic = t.policy.alerts?.mqttTopic;
    if (topic) {
      if (!t.interfaces.mqtt || !ctx.secrets.admin) {
        ctx.log(`alert topic ${topic} declared, but no MQTT interface/admin account to watch it with: alerts not checked`);
      } else {
        try {
          alerts = ctx.track(await AlertWatch.open(t.interfaces.mqtt, topic, ctx.secrets.admin, ctx.channelCtx));
        } catch (e) {
          ctx.inconclusive(`the declared alert topic ${topic} could not be watched (${(e as Error).message}): whether rejected commands raise alerts is undecided`);
        }
      }
    }

    const safe = t.policy.safeState;
    await ctx.forEachInterface(INTERFACES, async (iface) => {
      const path = ACCESS_PATH[iface];
      let access: PointAccess;
      try {
        access = ctx.track(await openPointAccess(iface, t, ctx.secrets, ctx.channelCtx));
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        ctx.record('ERROR', `cannot open ${path} for writing: ${(e as Error).message}`, path);
        return;
      }
      let probes = 0;
      const probed: string[] = [];
      for (const point of points) {
        const why = access.unsupported(point);
        if (why) {
          ctx.log(`${point.name} on ${path}: not probed (${why})`);
          continue;
        }
        const declared = point.spec.reaction[reactionKey(path)] ?? point.spec.reaction.default;
        try {
          const s = await probePointOnPath({
            ctx,
            access,
            point,
            declared,
            ...(monitor ? { monitor } : {}),
            safeOutputs: safe?.outputs ?? [],
            ...(safe ? { watchdogMs: safe.watchdogMs } : {}),
            ...(alerts ? { alerts } : {}),
            reopen: () => openPointAccess(iface, t, ctx.secrets, { evidence: ctx.evidence, signal: AbortSignal.timeout(15_000) }),
          });
          probes += s.probes;
          probed.push(`${point.name} (${declared})`);
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          ctx.recordException(e, path);
        }
      }
      if (probed.length === 0 && !ctx.verdicts.some((v) => v.iface === path)) {
        ctx.notApplicable(`no declared range point is mapped on ${path}`, path);
        return;
      }
      if (probed.length && !ctx.verdicts.some((v) => v.iface === path && v.verdict !== 'PASS')) {
        ctx.pass(`${probes} out-of-range/wrong-type probes on ${probed.join(', ')}: every one got the declared reaction and never reached the process${alerts ? '; alerts raised' : ''}; original values restored`, path);
      }
    });
  },
});
