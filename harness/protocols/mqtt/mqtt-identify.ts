/** Is an MQTT broker listening? An anonymous CONNECT; any valid CONNACK (also a refusal) identifies it. */
import type { ServiceIdentityCapability } from '../capabilities/service-identity.js';
import { MqttChannel } from './mqtt-channel.js';
import { gotValidConnack } from './mqtt-connack.js';

export const mqttIdentify: ServiceIdentityCapability = {
  endpoint: (t) => {
    if (!t.interfaces.mqtt) return undefined;
    const u = new URL(t.interfaces.mqtt.url);
    return { host: u.hostname, port: Number(u.port) };
  },
  async probe(t, _iface, ctx, signal) {
    const mq = t.interfaces.mqtt!;
    const r = await MqttChannel.connect(mq, { anonymous: true }, ctx, { timeoutMs: mq.timeoutMs, signal });
    if (r.ok) await r.channel.close();
    const ok = gotValidConnack(r, mq.protocolVersion);
    return { identified: ok, detail: ok ? `MQTT CONNACK ${r.ok ? 0 : r.connack?.code}` : `no valid MQTT CONNACK (${r.ok ? 'ok' : r.kind})` };
  },
};
