import type { Findings, Judgement } from '../../core/finding.js';
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { MqttInterface, TargetProfile } from '../../profile/target-schema.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { ProbeRun } from '../capabilities/probe-run.js';
import { MqttChannel, type MqttConnectResult } from './mqtt-channel.js';
import { gotValidConnack } from './mqtt-connack.js';

const describe = (r: MqttConnectResult) => (r.ok ? 'CONNACK 0' : r.connack ? `CONNACK ${r.connack.code}` : `no CONNACK: ${r.kind}`);

/**
 * MQTT without TLS (CPSF L3.017/L3.018), against `policy.secureChannel.mqttTls`. Plaintext probes
 * are ANONYMOUS CONNECTs, so no secret ever crosses the wire in the clear; any valid CONNACK (even a
 * refusal) proves the port speaks MQTT unencrypted. Probed: the profile's own host:port, and
 * `plaintextUrl` when declared (e.g. the standard 1883 next to 8883). Other ports are port-closure's.
 * `out`: the scenario's sink: a plaintext port found before a later probe throws stays found.
 */
export async function mqttPlaintext(target: TargetProfile, cfg: MqttInterface, iface: string, acct: ResolvedAccount | undefined, run: ProbeRun, out?: Findings): Promise<Judgement> {
  const f = new InterfaceFindings(iface, out);
  const version = cfg.protocolVersion;
  const m = /^(mqtts?):\/\/(.+)$/i.exec(cfg.url)!;
  const tlsUrl = m[1]!.toLowerCase() === 'mqtts';
  const hostPort = m[2]!;
  f.measure('mqttUrlScheme', tlsUrl ? 'mqtts' : 'mqtt');

  if (!target.policy.secureChannel.mqttTls) {
    return f.end('NOT_APPLICABLE', `profile declares MQTT without TLS (policy.secureChannel.mqttTls: false); noted: ${cfg.url}`);
  }

  if (!tlsUrl) {
    // TLS declared, plaintext URL: show on the wire that the port answers plaintext MQTT.
    const plain = await MqttChannel.connect(cfg, { anonymous: true }, run.channelCtx);
    if (plain.ok) await plain.channel.close();
    f.measure('plaintextConnect', describe(plain));
    if (gotValidConnack(plain, version)) {
      return f.end('FAIL', `MQTT offered without TLS: ${hostPort} answers a plaintext CONNECT (${describe(plain)}) although TLS is declared`);
    }
    // Maybe the port does speak TLS and the profile's URL is wrong.
    const tls = acct ? await MqttChannel.connect(cfg, { username: acct.username, password: acct.password }, run.channelCtx, { url: `mqtts://${hostPort}` }) : undefined;
    if (tls?.ok) await tls.channel.close();
    if (tls && gotValidConnack(tls, version)) {
      return f.end('INCONCLUSIVE', `profile url is mqtt:// but ${hostPort} speaks MQTT over TLS: fix interfaces.mqtt.url`);
    }
    return f.end('INCONCLUSIVE', `profile url is mqtt:// (TLS declared) and ${hostPort} gave no valid MQTT answer in plaintext (${describe(plain)})${tls ? ` nor over TLS (${describe(tls)})` : ''}`);
  }

  if (!acct) return f.end('INCONCLUSIVE', 'no account declared: the MQTT TLS positive control cannot run');
  const ok = await MqttChannel.connect(cfg, { username: acct.username, password: acct.password }, run.channelCtx);
  if (ok.ok) await ok.channel.close();
  const control = f.control(`'${acct.username}' connects over TLS to ${cfg.url}`, {
    passed: ok.ok,
    actual: describe(ok),
    reason: `MQTT TLS positive control failed: '${acct.username}' could not connect to ${cfg.url} (${ok.ok ? '' : `${ok.kind}: ${ok.error}`})`,
  });
  if (!control) return f;

  const urls = [`mqtt://${hostPort}`, ...(cfg.plaintextUrl && cfg.plaintextUrl !== `mqtt://${hostPort}` ? [cfg.plaintextUrl] : [])];
  const seen: string[] = [];
  let failed = false;
  for (const url of urls) {
    const r = await MqttChannel.connect(cfg, { anonymous: true }, run.channelCtx, { url });
    if (r.ok) await r.channel.close();
    const where = url.replace(/^mqtts?:\/\//i, '');
    f.measure('plaintextConnect', `${where}: ${describe(r)}`);
    seen.push(`${where}: ${describe(r)}`);
    const held = f.check(`no plaintext MQTT on ${where}`, {
      expected: 'no CONNACK to a plaintext CONNECT',
      actual: describe(r),
      passed: !gotValidConnack(r, version),
      reason: `MQTT accepts plaintext connections on ${where} (${describe(r)})`,
    });
    failed ||= !held;
  }
  if (failed) return f;
  return f.end('PASS', `MQTT only over TLS (${hostPort}); plaintext CONNECTs got no CONNACK (${seen.join('; ')})`);
}
