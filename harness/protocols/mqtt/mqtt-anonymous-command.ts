/**
 * Whether an anonymous MQTT client can command the process, judged by effect: a declared account
 * watches telemetry, the anonymous client publishes a harmless in-range command (a writable
 * point's current value moved by a small step inside its range) on the command topic, and the
 * next telemetry messages show whether the value changed. A change is restored (by the anonymous
 * client, which just showed it can command) and the restore is checked.
 */
import type { MqttInterface, Point } from '../../profile/target-schema.js';
import type { ControlAccount } from '../capabilities/auth-surface.js';
import { ChannelError, type ChannelContext } from '../transport/channel.js';
import { MqttChannel, type ReceivedMessage } from './mqtt-channel.js';
import { telemetryPointValue } from './telemetry-value.js';

/** The point an anonymous command tries to move: a writable number with an MQTT name and a range. */
export interface CommandPoint {
  id: string;
  name: string;
  min: number;
  max: number;
}

/** The first writable numeric point with an MQTT name and a declared range. */
export function anonymousCommandPoint(points: Record<string, Point>): CommandPoint | undefined {
  for (const [id, p] of Object.entries(points)) {
    if (p.type === 'number' && p.writable && p.mqtt && p.min !== undefined && p.max !== undefined && p.max > p.min) return { id, name: p.mqtt.name, min: p.min, max: p.max };
  }
  return undefined;
}

export interface AnonymousCommandResult {
  /** true: the process took the command; false: it did not; undefined: could not tell. */
  tookEffect: boolean | undefined;
  detail: string;
}

/** A small in-range step from `v`: 1 % of the range, at least 0.1, toward the middle. */
export function harmlessTarget(v: number, p: CommandPoint): number {
  const step = Math.max(0.1, Math.round((p.max - p.min) / 10) / 10);
  const next = v + step <= p.max ? v + step : v - step;
  return Math.round(next * 100) / 100;
}

const same = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-6;

/** `waitMs`: how long one telemetry message may take (mqtt-auth's telemetryWaitMs); twice that is waited for an effect. */
export async function mqttAnonymousCommand(
  cfg: MqttInterface,
  point: CommandPoint | undefined,
  acct: ControlAccount,
  waitMs: number,
  ctx: ChannelContext,
  signal: AbortSignal,
): Promise<AnonymousCommandResult> {
  if (!point) return { tookEffect: undefined, detail: 'no writable numeric point with an MQTT name and a range is declared to command' };
  const wait = 2 * waitMs;
  const watch = await MqttChannel.connect(cfg, { username: acct.username, password: acct.password }, ctx, { signal });
  if (!watch.ok) return { tookEffect: undefined, detail: `observer '${acct.username}' could not connect (${watch.kind})` };
  const obs = watch.channel;
  const seen: ReceivedMessage[] = [];
  obs.onMessage(cfg.topics.telemetry, (m) => seen.push(m));
  /**
   * The point's value once telemetry shows `want` (at once), else the last value seen after the
   * whole window. A window cut short (run cancelled, observer dropped) shows nothing: "no effect"
   * needs all of it, so that ends as a throw or `cut`, never as a value.
   */
  const valueAfter = async (from: number, want: number): Promise<{ last?: number; cut?: string }> => {
    const until = Date.now() + wait;
    let last: number | undefined;
    for (let i = from; Date.now() < until; ) {
      if (signal.aborted) throw new ChannelError('aborted', 'anonymous MQTT command probe cancelled');
      if (seen.length > i) {
        last = telemetryPointValue(seen[i++]!.text, point.name);
        if (same(last, want)) return { last };
      } else if (!obs.connected) return { cut: `the observer '${acct.username}' was disconnected before the ${wait} ms window ended` };
      else await new Promise((r) => setTimeout(r, 10));
    }
    return { last };
  };
  let anon: MqttChannel | undefined;
  try {
    const sub = await obs.subscribe(cfg.topics.telemetry, { signal });
    if (!sub.ok) return { tookEffect: undefined, detail: `observer could not subscribe to ${cfg.topics.telemetry}` };
    const first = await obs.expectMessage(cfg.topics.telemetry, (m) => telemetryPointValue(m.text, point.name) !== undefined, wait, { signal });
    const v0 = first ? telemetryPointValue(first.text, point.name) : undefined;
    if (v0 === undefined) return { tookEffect: undefined, detail: `no telemetry with ${point.name} within ${wait} ms to read its current value` };
    const v1 = harmlessTarget(v0, point);
    const a = await MqttChannel.connect(cfg, { anonymous: true }, ctx, { signal });
    if (!a.ok) return { tookEffect: undefined, detail: `anonymous client could not connect again (${a.kind})` };
    anon = a.channel;
    const command = (v: number) => cfg.commandTemplate.replaceAll('{point}', point.name).replaceAll('{value}', JSON.stringify(v));
    const mark = seen.length;
    await anon.publish(cfg.topics.command, command(v1), { qos: 0, signal });
    const after = await valueAfter(mark, v1);
    if (after.cut) return { tookEffect: undefined, detail: `anonymous PUBLISH ${cfg.topics.command} ${command(v1)}: ${after.cut}` };
    if (!same(after.last, v1)) return { tookEffect: false, detail: `anonymous PUBLISH ${cfg.topics.command} ${command(v1)} had no effect (${point.name} stayed ${after.last ?? v0})` };
    // Restore: the anonymous client has just shown it can command; reconnect if it was dropped.
    // A cancel during the restore keeps the proven effect; the detail then says NOT restored.
    let restored = false;
    try {
      if (!anon.connected) {
        await anon.close();
        const again = await MqttChannel.connect(cfg, { anonymous: true }, ctx, { signal });
        anon = again.ok ? again.channel : undefined;
      }
      const back = seen.length;
      if (anon) await anon.publish(cfg.topics.command, command(v0), { qos: 0, signal });
      restored = anon !== undefined && same((await valueAfter(back, v0)).last, v0);
    } catch (e) {
      if (!(e instanceof ChannelError && e.kind === 'aborted')) throw e;
    }
    return {
      tookEffect: true,
      detail: `the anonymous client commanded the process: PUBLISH ${cfg.topics.command} ${command(v1)} moved ${point.id} ${v0} → ${v1} (telemetry)${restored ? `; restored to ${v0}` : `; NOT restored to ${v0}`}`,
    };
  } finally {
    await anon?.close();
    await obs.close();
  }
}
