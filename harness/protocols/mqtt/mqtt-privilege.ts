import type { Findings, Judgement } from '../../core/finding.js';
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { MqttInterface } from '../../profile/target-schema.js';
import type { PrivilegeAccounts, WritePlan } from '../capabilities/privilege.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { ProbeRun } from '../capabilities/probe-run.js';
import type { ChannelContext } from '../transport/channel.js';
import { MqttChannel, type PublishResult, type ReceivedMessage } from './mqtt-channel.js';
import { telemetryPointValue } from './telemetry-value.js';

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
 * `out`: the scenario's sink, written as findings are made, so a throw part-way loses nothing.
 */
export async function mqttPrivilege(cfg: MqttInterface, iface: string, { admin, user }: PrivilegeAccounts, plan: WritePlan, run: ProbeRun, out?: Findings): Promise<Judgement> {
  const f = new InterfaceFindings(iface, out);
  const mname = plan.point.mqtt!.name;
  const { telemetry, command } = cfg.topics;
  const payload = (v: number) => cfg.commandTemplate.replace('{point}', mname).replace('{value}', JSON.stringify(v));

  const a = await MqttChannel.connect(cfg, { username: admin.username, password: admin.password }, run.channelCtx);
  const adminIn = f.control(`admin '${admin.username}' connects`, {
    passed: a.ok,
    actual: a.ok ? 'CONNACK 0' : `${a.kind}: ${a.error}`,
    reason: `MQTT positive control failed: admin '${admin.username}' could not connect (${a.ok ? '' : a.error})`,
  });
  if (!a.ok || !adminIn) return f;
  const adm = run.track(a.channel);
  const cmdSub = await adm.subscribe(command);
  const telSub = await adm.subscribe(telemetry);
  f.measure('adminCommandSubscription', cmdSub.outcome);
  const first = telSub.ok ? await adm.expectMessage(telemetry, (m) => telemetryPointValue(m.text, mname) !== undefined, cfg.timeoutMs) : undefined;
  const original = first ? telemetryPointValue(first.text, mname) : undefined;
  f.measure('telemetryReadBack', original !== undefined);
  const values = plan.values(original);
  if (!values) return f.end('INCONCLUSIVE', `no two in-range probe values for ${plan.name}`);
  // Teardown runs after the scenario's signal may have fired: the restore has only the evidence log.
  if (original !== undefined) run.defer(`restore ${plan.name} = ${original} via mqtt`, () => restore(cfg, admin, payload(original), { evidence: run.channelCtx.evidence }));
  else run.log(`the original ${plan.name} is not readable over MQTT: nothing to restore afterwards`);
  const field = await plan.openField();

  const processObservers = original !== undefined || field.monitored;
  /**
   * Publish and watch. Each observer stops when it sees the value; a look for an effect that must
   * NOT happen runs its whole window on every observer. The positive control ends once the
   * observers that judge it confirmed: delivery counts only where nothing reads the process back.
   */
  const observe = async (pub: () => Promise<unknown>, value: number, windowMs: number, text: string, control: boolean): Promise<Observed> => {
    const hit = (m: ReceivedMessage) => plan.same(telemetryPointValue(m.text, mname) ?? NaN, value);
    let delivered = false;
    const del = cmdSub.ok ? adm.expectMessage(command, (m) => m.text === text, windowMs).then((m) => void (delivered = m !== undefined)) : Promise.resolve();
    const tel = original !== undefined ? adm.expectMessage(telemetry, hit, windowMs) : Promise.resolve(undefined);
    await pub();
    const judged = Promise.all([field.watchFor(value, windowMs), tel]);
    const early = control && processObservers;
    if (early) void del.catch(() => undefined); // bounded by the window; not awaited once the process shows the value
    const [[seen, t]] = await Promise.all([judged, early ? undefined : del]);
    return { delivered, ...(t ? { telemetry: telemetryPointValue(t.text, mname) } : {}), fieldHit: seen.hit, field: seen.summary };
  };

  // Positive control: the admin's command takes effect on every observer that exists.
  const adminText = payload(values.adminValue);
  const ctl = await observe(() => adm.publish(command, adminText, { qos: 1 }), values.adminValue, cfg.timeoutMs, adminText, true);
  const took = f.control(`admin command ${plan.name} = ${values.adminValue} takes effect`, {
    passed: processObservers ? (original === undefined || ctl.telemetry !== undefined) && (!field.monitored || ctl.fieldHit) : ctl.delivered,
    actual: ctl,
    reason: processObservers
      ? `MQTT positive control failed: the admin's command ${plan.name} = ${values.adminValue} did not show (telemetry ${ctl.telemetry ?? 'unchanged'}; ${ctl.field})`
      : `MQTT positive control failed: nothing reads ${plan.name} back (no telemetry value, no monitor) and the admin's command was not delivered to the admin's subscription on ${command}`,
  });
  if (!took) return f;

  const u = await MqttChannel.connect(cfg, { username: user.username, password: user.password }, run.channelCtx);
  const userIn = f.control(`non-admin '${user.username}' connects`, {
    passed: u.ok,
    actual: u.ok ? 'CONNACK 0' : `${u.kind}: ${u.error}`,
    reason: `non-admin '${user.username}' could not connect to MQTT (${u.ok ? '' : u.error}): its command rights cannot be tested`,
  });
  if (!u.ok || !userIn) return f;
  const usr = run.track(u.channel);
  const userText = payload(values.userValue);
  let pub: PublishResult | undefined;
  const seen = await observe(async () => (pub = await usr.publish(command, userText, { qos: 1 })), values.userValue, plan.effectWindowMs(cfg.timeoutMs), userText, false);
  await usr.close();
  f.measure('userPublishOutcome', pub ? `${pub.outcome}${pub.reasonCode !== undefined ? ` (${pub.reasonCode})` : ''}` : 'none');
  f.measure('userCommandDelivered', seen.delivered);

  const changed = processObservers ? seen.telemetry !== undefined || seen.fieldHit : seen.delivered;
  const evidence = processObservers
    ? `telemetry ${plan.name} = ${seen.telemetry ?? 'unchanged'}; ${seen.field}; command ${seen.delivered ? 'delivered' : 'not delivered'}`
    : `the command was delivered to an admin subscriber on ${command}`;
  const held = f.check(`non-admin cannot change ${plan.name} via mqtt`, {
    expected: processObservers ? `${plan.name} stays ${values.adminValue}` : 'command not delivered',
    actual: seen,
    passed: !changed,
    reason: processObservers ? `non-admin '${user.username}' changed ${plan.name} via mqtt (${evidence})` : `non-admin '${user.username}' can publish commands to ${command} (${evidence})`,
  });
  if (!held) return f;
  const broker = pub?.connectionClosed ? 'broker closed the connection' : pub?.outcome === 'rejected' ? `PUBACK ${pub.reasonCode}` : `publish ${pub?.outcome ?? 'not sent'}`;
  return f.end('PASS', `'${user.username}' could not change ${plan.name} via mqtt (${broker}; command ${seen.delivered ? 'delivered but not applied' : 'not delivered'}${processObservers ? `; ${seen.field}` : ''})`);
}

/** Teardown: the admin publishes the original value on a fresh connection (the probe's may be gone). */
async function restore(cfg: MqttInterface, admin: ResolvedAccount, text: string, ctx: ChannelContext): Promise<void> {
  const r = await MqttChannel.connect(cfg, { username: admin.username, password: admin.password }, ctx);
  if (!r.ok) throw new Error(`restore: admin could not connect (${r.error})`);
  try {
    const p = await r.channel.publish(cfg.topics.command, text, { qos: 1 });
    if (p.outcome !== 'acked' && p.outcome !== 'sent') throw new Error(`restore publish: ${p.outcome}`);
  } finally {
    await r.channel.close();
  }
}
