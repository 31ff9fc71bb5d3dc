import { MqttChannel } from '../../harness/protocols/mqtt/mqtt-channel.js';
import { classifyConnack } from '../../harness/protocols/mqtt/mqtt-connack.js';
import type { ScenarioContext } from '../../harness/runner/scenario-context.js';

/**
 * Anonymous MQTT (L2.006): positive control (a valid account connects and gets telemetry), then an
 * anonymous CONNECT. CONNACK 0 is a FAIL unless the profile declares anonymous MQTT allowed; the
 * reason says what the anonymous client could do (subscribe + receive telemetry is the proof that
 * counts). Refusal codes 4/5 (3.1.1) or 0x86/0x87 (5) PASS.
 */
export async function probeMqttAnonymous(ctx: ScenarioContext): Promise<void> {
  const iface = ctx.target.interfaces.mqtt!;
  const version = iface.protocolVersion;
  const topic = iface.topics.telemetry;
  const acct = ctx.secrets.user ?? ctx.secrets.admin;
  if (!acct) return ctx.inconclusive('no account declared: the MQTT positive control (a valid login) cannot run', 'mqtt');

  const good = await MqttChannel.connect(iface, { username: acct.username, password: acct.password }, ctx.channelCtx);
  ctx.control(`'${acct.username}' connects to ${iface.url}`, {
    passed: good.ok,
    actual: good.ok ? `CONNACK ${good.connack.code}` : `${good.kind}: ${good.error}`,
    iface: 'mqtt',
    reason: `MQTT positive control failed: '${acct.username}' could not connect (${good.ok ? '' : `${good.kind}: ${good.error}`})`,
  });
  if (!good.ok) return; // control() has stopped this interface
  const accountGotTelemetry = await receivesTelemetry(ctx.track(good.channel), topic, iface.timeoutMs);
  ctx.measure('telemetryReceivedWithAccount', accountGotTelemetry.received, { iface: 'mqtt' });

  const anon = await MqttChannel.connect(iface, { anonymous: true }, ctx.channelCtx);
  const cls = classifyConnack(anon, version);
  ctx.measure('anonymousConnect', anon.ok ? 'CONNACK 0' : anon.connack ? `CONNACK ${anon.connack.code}` : anon.kind, { iface: 'mqtt' });

  if (anon.ok) {
    const got = await receivesTelemetry(ctx.track(anon.channel), topic, iface.timeoutMs);
    ctx.measure('telemetryReceivedAnonymously', got.received, { iface: 'mqtt' });
    const what = got.received
      ? 'and received telemetry'
      : got.subscribed
        ? `(CONNACK 0; subscription to ${topic} granted, no telemetry within ${iface.timeoutMs} ms${accountGotTelemetry.received ? '' : ', none for the valid account either'})`
        : `(CONNACK 0; subscription to ${topic} refused)`;
    if (ctx.target.policy.anonymous.mqtt) {
      return ctx.notApplicable(`anonymous MQTT is declared allowed (policy.anonymous.mqtt); noted: anonymous client accepted ${what}`, 'mqtt');
    }
    ctx.check('anonymous MQTT CONNECT refused', {
      expected: version === 5 ? 'CONNACK 0x86/0x87' : 'CONNACK 4/5',
      actual: `CONNACK 0, telemetry ${got.received ? 'received' : 'not received'}`,
      passed: false,
      iface: 'mqtt',
      reason: `anonymous MQTT client accepted ${what}`,
    });
    return;
  }
  if (cls === 'auth-refused') return ctx.pass(`anonymous MQTT CONNECT refused (CONNACK ${anon.connack!.code}: ${anon.connack!.reason})`, 'mqtt');
  // Closed without CONNACK right after a valid account got in: the anonymous client got nothing.
  if (cls === 'no-connack' && anon.kind === 'closed') return ctx.pass('anonymous MQTT CONNECT refused (connection closed without CONNACK)', 'mqtt');
  ctx.inconclusive(`anonymous MQTT CONNECT got no decisive answer (${anon.kind}: ${anon.error})`, 'mqtt');
}

async function receivesTelemetry(ch: MqttChannel, topic: string, timeoutMs: number): Promise<{ subscribed: boolean; received: boolean }> {
  try {
    const sub = await ch.subscribe(topic);
    if (!sub.ok) return { subscribed: false, received: false };
    const m = await ch.expectMessage(topic, () => true, timeoutMs);
    return { subscribed: true, received: m !== undefined };
  } finally {
    await ch.close();
  }
}
