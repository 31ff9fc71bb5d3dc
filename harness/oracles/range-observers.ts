/**
 * The independent observers a range check judges by, besides the read-back: the field monitor
 * (the process side of every write) and the declared alert topic (do rejected commands raise
 * alerts?). Either may be missing; what that means for the verdict comes back as findings.
 */
import { Findings, type Judgement } from '../core/finding.js';
import type { ResolvedAccount } from '../profile/secrets.js';
import type { TargetProfile } from '../profile/target-schema.js';
import type { PointRef } from '../protocols/capabilities/point-access.js';
import { FieldMonitor } from '../protocols/monitor/monitor-channel.js';
import { AlertWatch } from '../protocols/mqtt/alert-watch.js';
import type { ChannelContext } from '../protocols/transport/channel.js';
import type { PointProbeDeps } from './range-probe-write.js';

export interface RangeObservers {
  monitor?: NonNullable<PointProbeDeps['monitor']>;
  alerts?: AlertWatch;
  /** Everything opened here, for the scenario to close at its end. */
  closeables: { close(): Promise<void> }[];
}

/**
 * `alertReader`: an account of the MQTT interface whose role may read the alert topic (the scenario
 * picks it). `sink`: the scenario's sink (`ctx.judge`).
 */
export async function openRangeObservers(target: TargetProfile, alertReader: ResolvedAccount | undefined, points: PointRef[], ctx: ChannelContext, sink?: Findings): Promise<Judgement<RangeObservers>> {
  const f = new Findings(sink);
  const out: RangeObservers = { closeables: [] };
  if (target.monitor && points.some((p) => p.spec.monitor)) {
    try {
      const fm = await FieldMonitor.open(target.monitor, ctx);
      out.closeables.push(fm);
      out.monitor = { fm, cfg: target.monitor };
    } catch (e) {
      f.verdict('ERROR', `the declared field monitor ${target.monitor.modbusTcp} cannot be reached (${(e as Error).message}); judged by read-back alone`);
    }
  }
  // Alerts: watched only where the profile says they appear (policy.alerts.mqttTopic).
  const topic = target.policy.alerts?.mqttTopic;
  if (topic) {
    if (!target.interfaces.mqtt || !alertReader) {
      f.note(`alert topic ${topic} declared, but no MQTT interface or no account allowed to read it (accounts, roles.<r>.mqtt.read): alerts not checked`);
    } else {
      try {
        out.alerts = await AlertWatch.open(target.interfaces.mqtt, topic, alertReader, ctx);
        out.closeables.push(out.alerts);
      } catch (e) {
        f.verdict('INCONCLUSIVE', `the declared alert topic ${topic} could not be watched (${(e as Error).message}): whether rejected commands raise alerts is undecided`);
      }
    }
  }
  return f.with(out);
}
