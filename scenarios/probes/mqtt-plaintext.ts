import { MqttChannel, type MqttConnectResult } from '../../harness/protocols/mqtt/mqtt-channel.js';
import { gotValidConnack } from '../../harness/protocols/mqtt/mqtt-connack.js';
import type { ScenarioContext } from '../../harness/runner/scenario-context.js';

const describe = (r: MqttConnectResult) => (r.ok ? 'CONNACK 0' : r.connack ? `CONNACK ${r.connack.code}` : `no CONNACK: ${r.kind}`);

/**
 * MQTT without TLS (CPSF L3.017/L3.018), against `policy.secureChannel.mqttTls`. Plaintext probes
 * are ANONYMOUS CONNECTs, so no secret ever crosses the wire in the clear; any valid CONNACK (even a
 * refusal) proves the port speaks MQTT unencrypted. Probed: the profile's own host:port, and
 * `plaintextUrl` when declared (e.g. the standard 1883 next to 8883). Other ports are port-closure's.
 */
export async function probeMqttPlaintext(ctx: ScenarioContext): Promise<void> {
  const iface = ctx.target.interfaces.mqtt!;
  const version = iface.protocolVersion;
  const m = /^(mqtts?):\/\/(.+)$/i.exec(iface.url)!;
  const tlsUrl = m[1]!.toLowerCase() === 'mqtts';
  const hostPort = m[2]!;
  ctx.measure('mqttUrlScheme', tlsUrl ? 'mqtts' : 'mqtt', { iface: 'mqtt' });

  if (!ctx.target.policy.secureChannel.mqttTls) {
    return ctx.notApplicable(`profile declares MQTT without TLS (policy.secureChannel.mqttTls: false); noted: ${iface.url}`, 'mqtt');
  }

  if (!tlsUrl) {
    // TLS declared, plaintext URL: show on the wire that the port answers plaintext MQTT.
    const plain = await MqttChannel.connect(iface, { anonymous: true }, ctx.channelCtx);
    if (plain.ok) await plain.channel.close();
    ctx.measure('plaintextConnect', describe(plain), { iface: 'mqtt' });
    if (gotValidConnack(plain, version)) {
      return ctx.fail(`MQTT offered without TLS: ${hostPort} answers a plaintext CONNECT (${describe(plain)}) although TLS is declared`, 'mqtt');
    }
    // Maybe the port does speak TLS and the profile's URL is wrong.
    const acct = ctx.secrets.user ?? ctx.secrets.admin;
    const tls = acct ? await MqttChannel.connect(iface, { username: acct.username, password: acct.password }, ctx.channelCtx, { url: `mqtts://${hostPort}` }) : undefined;
    if (tls?.ok) await tls.channel.close();
    if (tls && gotValidConnack(tls, version)) {
      return ctx.inconclusive(`profile url is mqtt:// but ${hostPort} speaks MQTT over TLS: fix interfaces.mqtt.url`, 'mqtt');
    }
    return ctx.inconclusive(`profile url is mqtt:// (TLS declared) and ${hostPort} gave no valid MQTT answer in plaintext (${describe(plain)})${tls ? ` nor over TLS (${describe(tls)})` : ''}`, 'mqtt');
  }

  const acct = ctx.secrets.user ?? ctx.secrets.admin;
  if (!acct) return ctx.inconclusive('no account declared: the MQTT TLS positive control cannot run', 'mqtt');
  const ok = await MqttChannel.connect(iface, { username: acct.username, password: acct.password }, ctx.channelCtx);
  if (ok.ok) await ok.channel.close();
  ctx.control(`'${acct.username}' connects over TLS to ${iface.url}`, {
    passed: ok.ok,
    actual: describe(ok),
    iface: 'mqtt',
    reason: `MQTT TLS positive control failed: '${acct.username}' could not connect to ${iface.url} (${ok.ok ? '' : `${ok.kind}: ${ok.error}`})`,
  });

  const urls = [`mqtt://${hostPort}`, ...(iface.plaintextUrl && iface.plaintextUrl !== `mqtt://${hostPort}` ? [iface.plaintextUrl] : [])];
  const seen: string[] = [];
  let failed = false;
  for (const url of urls) {
    const r = await MqttChannel.connect(iface, { anonymous: true }, ctx.channelCtx, { url });
    if (r.ok) await r.channel.close();
    const where = url.replace(/^mqtts?:\/\//i, '');
    ctx.measure('plaintextConnect', `${where}: ${describe(r)}`, { iface: 'mqtt' });
    seen.push(`${where}: ${describe(r)}`);
    const plaintext = gotValidConnack(r, version);
    failed ||= !ctx.check(`no plaintext MQTT on ${where}`, {
      expected: 'no CONNACK to a plaintext CONNECT',
      actual: describe(r),
      passed: !plaintext,
      iface: 'mqtt',
      reason: `MQTT accepts plaintext connections on ${where} (${describe(r)})`,
    });
  }
  if (!failed) ctx.pass(`MQTT only over TLS (${hostPort}); plaintext CONNECTs got no CONNACK (${seen.join('; ')})`, 'mqtt');
}
