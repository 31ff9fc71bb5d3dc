import type { MqttInterface } from '../../profile/target-schema.js';
import type { ProtocolModule } from '../protocol.js';
import { MqttAuthSurface } from './mqtt-auth.js';
import { MqttPointAccess } from './mqtt-point-access.js';

const cfg = (t: { interfaces: { mqtt?: MqttInterface } }): MqttInterface => {
  if (!t.interfaces.mqtt) throw new Error('the target has no mqtt interface');
  return t.interfaces.mqtt;
};

/** MQTT 3.1, 3.1.1 or 5 against the gateway's broker, plain or TLS. */
const mqttProtocol: ProtocolModule = {
  name: 'mqtt',
  interfaces: (t) => (t.interfaces.mqtt ? ['mqtt'] : []),
  login: {
    surface: (t, _iface, ctx) => new MqttAuthSurface(cfg(t), ctx),
    // Connect (CONNACK) and the proof action (telemetry delivered), plus TLS set-up.
    attemptBoundMs: (t) => 2 * cfg(t).timeoutMs + 1000,
    controlRole: 'user',
    anonymousBoundMs: (t) => 6 * cfg(t).timeoutMs,
  },
  points: {
    path: () => 'mqtt',
    reactionKey: 'mqtt',
    needsAccount: true,
    timeoutMs: (t) => cfg(t).timeoutMs,
    open: (t, _iface, account, ctx) => {
      if (!account) throw new Error('the profile declares no admin account (credentials.admin), which MQTT commands need');
      return MqttPointAccess.open(cfg(t), account, ctx);
    },
  },
};
export default mqttProtocol;
