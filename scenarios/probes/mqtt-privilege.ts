import { MqttChannel, type ReceivedMessage } from '../../harness/protocols/mqtt/mqtt-channel.js';
import { sameValue } from '../../harness/oracles/probe-values.js';
import { telemetryPointValue } from '../../harness/protocols/mqtt/telemetry-value.js';
import type { ResolvedAccount } from '../../harness/profile/secrets.js';
import type { ScenarioContext } from '../../harness/runner/scenario-context.js';
import { describeWatch, effectWindowMs, valuesFor, watcherFor, writeTargetFor } from '../../harness/oracles/write-observation.js';

/** What the observers saw after one command publish. */
interface Observed {
  delivered: boolean;
  telemetry?: number;
  fieldHit: boolean;
  field: string;
}

/**
 * MQTT command as a non-admin (L2.016; also the topic ACL of a logged-in non-admin). An admin
 * session watches three things: delivery of the exact command payload on the command topic, the
 * point's value in telemetry (read-back), and the field monitor. The positive control is the admin's
 * own command; the non-admin's command of a different value must show on none of the observers
 * that confirmed the control. Delivery decides alone only when nothing reads the process back (a
 * plain broker): a gateway may refuse a delivered command itself. MQTT 3.1.1 has no PUBACK refusal,
 * so the broker's answer (aedes closes the connection, mosquitto acks and drops) is only recorded.
 */
export async function probeMqttPrivilege(ctx: ScenarioContext, admin: ResolvedAccount, user: ResolvedAccount): Promise<void> {
  const iface = ctx.target.interfaces.mqtt!;
  const t = writeTargetFor(ctx, (p) => p.mqtt !== undefined);
  if (!t) return ctx.notApplicable('no writable numeric point with an MQTT name is declared', 'mqtt');
  const mname = t.point.mqtt!.name;
  const { telemetry, command } = iface.topics;
  const payload = (v: number) => iface.commandTemplate.replace('{point}', mname).replace('{value}', JSON.stringify(v));

  const a = await MqttChannel.connect(iface, { username: admin.username, password: admin.password }, ctx.channelCtx);
  ctx.control(`admin '${admin.username}' connects`, {
    passed: a.ok,
    actual: a.ok ? 'CONNACK 0' : `${a.kind}: ${a.error}`,
    iface: 'mqtt',
    reason: `MQTT positive control failed: admin '${admin.username}' could not connect (${a.ok ? '' : a.error})`,
  });
  if (!a.ok) return;
  const adm = ctx.track(a.channel);
  const cmdSub = await adm.subscribe(command);
  const telSub = await adm.subscribe(telemetry);
  ctx.measure('adminCommandSubscription', cmdSub.outcome, { iface: 'mqtt' });
  const first = telSub.ok ? await adm.expectMessage(telemetry, (m) => telemetryPointValue(m.text, mname) !== undefined, iface.timeoutMs) : undefined;
  const original = first ? telemetryPointValue(first.text, mname) : undefined;
  ctx.measure('telemetryReadBack', original !== undefined, { iface: 'mqtt' });
  const values = valuesFor(ctx, t, original);
  if (!values) return ctx.inconclusive(`no two in-range probe values for ${t.name}`, 'mqtt');
  if (original !== undefined) ctx.defer(`restore ${t.name} = ${original} via mqtt`, () => restore(ctx, admin, payload(original)));
  else ctx.log(`the original ${t.name} is not readable over MQTT: nothing to restore afterwards`);
  const watcher = await watcherFor(ctx, t);

  const observe = async (pub: () => Promise<unknown>, value: number, windowMs: number, text: string): Promise<Observed> => {
    const hit = (m: ReceivedMessage) => sameValue(telemetryPointValue(m.text, mname) ?? NaN, value, t.tolerance);
    const pending = Promise.all([
      cmdSub.ok ? adm.expectMessage(command, (m) => m.text === text, windowMs) : Promise.resolve(undefined),
      original !== undefined ? adm.expectMessage(telemetry, hit, windowMs) : Promise.resolve(undefined),
    ]);
    await pub();
    const [field, [del, tel]] = await Promise.all([watcher?.watchFor(value, windowMs), pending]);
    return { delivered: del !== undefined, ...(tel ? { telemetry: telemetryPointValue(tel.text, mname) } : {}), fieldHit: field?.hit !== undefined, field: describeWatch(field, watcher?.monitorPoint) };
  };
  const processObservers = original !== undefined || watcher !== undefined;

  // Positive control: the admin's command takes effect on every observer that exists.
  const adminText = payload(values.adminValue);
  const ctl = await observe(() => adm.publish(command, adminText, { qos: 1 }), values.adminValue, iface.timeoutMs, adminText);
  const ctlOk = processObservers ? (original === undefined || ctl.telemetry !== undefined) && (!watcher || ctl.fieldHit) : ctl.delivered;
  ctx.control(`admin command ${t.name} = ${values.adminValue} takes effect`, {
    passed: ctlOk,
    actual: ctl,
    iface: 'mqtt',
    reason: processObservers
      ? `MQTT positive control failed: the admin's command ${t.name} = ${values.adminValue} did not show (telemetry ${ctl.telemetry ?? 'unchanged'}; ${ctl.field})`
      : `MQTT positive control failed: nothing reads ${t.name} back (no telemetry value, no monitor) and the admin's command was not delivered to the admin's subscription on ${command}`,
  });

  const u = await MqttChannel.connect(iface, { username: user.username, password: user.password }, ctx.channelCtx);
  ctx.control(`non-admin '${user.username}' connects`, {
    passed: u.ok,
    actual: u.ok ? 'CONNACK 0' : `${u.kind}: ${u.error}`,
    iface: 'mqtt',
    reason: `non-admin '${user.username}' could not connect to MQTT (${u.ok ? '' : u.error}): its command rights cannot be tested`,
  });
  if (!u.ok) return;
  const usr = ctx.track(u.channel);
  const userText = payload(values.userValue);
  let pub: Awaited<ReturnType<MqttChannel['publish']>> | undefined;
  const seen = await observe(
    async () => (pub = await usr.publish(command, userText, { qos: 1, settleMs: 300 })),
    values.userValue,
    effectWindowMs(ctx, iface.timeoutMs),
    userText,
  );
  await usr.close();
  ctx.measure('userPublishOutcome', pub ? `${pub.outcome}${pub.reasonCode !== undefined ? ` (${pub.reasonCode})` : ''}` : 'none', { iface: 'mqtt' });
  ctx.measure('userCommandDelivered', seen.delivered, { iface: 'mqtt' });

  const changed = processObservers ? seen.telemetry !== undefined || seen.fieldHit : seen.delivered;
  const evidence = processObservers
    ? `telemetry ${t.name} = ${seen.telemetry ?? 'unchanged'}; ${seen.field}; command ${seen.delivered ? 'delivered' : 'not delivered'}`
    : `the command was delivered to an admin subscriber on ${command}`;
  const ok = ctx.check(`non-admin cannot change ${t.name} via mqtt`, {
    expected: processObservers ? `${t.name} stays ${values.adminValue}` : 'command not delivered',
    actual: seen,
    passed: !changed,
    iface: 'mqtt',
    reason: processObservers
      ? `non-admin '${user.username}' changed ${t.name} via mqtt (${evidence})`
      : `non-admin '${user.username}' can publish commands to ${command} (${evidence})`,
  });
  if (ok) {
    const broker = pub?.connectionClosed ? 'broker closed the connection' : pub?.outcome === 'rejected' ? `PUBACK ${pub.reasonCode}` : `publish ${pub?.outcome ?? 'not sent'}`;
    ctx.pass(`'${user.username}' could not change ${t.name} via mqtt (${broker}; command ${seen.delivered ? 'delivered but not applied' : 'not delivered'}${processObservers ? `; ${seen.field}` : ''})`, 'mqtt');
  }
}

/** Teardown: the admin publishes the original value on a fresh connection (the probe's may be gone). */
async function restore(ctx: ScenarioContext, admin: ResolvedAccount, text: string): Promise<void> {
  const iface = ctx.target.interfaces.mqtt!;
  const r = await MqttChannel.connect(iface, { username: admin.username, password: admin.password }, { evidence: ctx.evidence });
  if (!r.ok) throw new Error(`restore: admin could not connect (${r.error})`);
  try {
    const p = await r.channel.publish(iface.topics.command, text, { qos: 1 });
    if (p.outcome !== 'acked' && p.outcome !== 'sent') throw new Error(`restore publish: ${p.outcome}`);
  } finally {
    await r.channel.close();
  }
}
