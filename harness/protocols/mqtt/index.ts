import type { MqttInterface } from '../../profile/target-schema.js';
import { interfaceConfig, type ProtocolModule } from '../protocol.js';
import { AlertWatch } from './alert-watch.js';
import { anonymousCommandPoint } from './mqtt-anonymous-command.js';
import { MqttAuthSurface, telemetryWaitMs } from './mqtt-auth.js';
import { mqttDecoder } from './mqtt-decoder.js';
import { malformedMqtt } from './malformed-mqtt.js';
import { mqttIdentify } from './mqtt-identify.js';
import { MqttPointAccess } from './mqtt-point-access.js';
import { mqttPlaintext } from './mqtt-plaintext.js';
import { mqttPrivilege } from './mqtt-privilege.js';

const cfg = (t: { interfaces: { mqtt?: MqttInterface } }): MqttInterface => interfaceConfig(t, 'mqtt');

/** MQTT 3.1, 3.1.1 or 5 against the gateway's broker, plain or TLS. */
const mqttProtocol: ProtocolModule = {
  name: 'mqtt',
  malformed: malformedMqtt,
  identify: mqttIdentify,
  decoder: mqttDecoder,
  interfaces: (t) => (t.interfaces.mqtt ? ['mqtt'] : []),
  login: {
    surface: (t, _iface, ctx) => new MqttAuthSurface(cfg(t), ctx, anonymousCommandPoint(t.policy.points)),
    // Connect (CONNACK) and the proof action (telemetry delivered), plus TLS set-up.
    attemptBoundMs: (t) => cfg(t).timeoutMs + telemetryWaitMs(cfg(t)) + 1000,
    controlRole: 'user',
    // Two sessions, then the command probe: observer, first telemetry, command and restore (each two telemetry waits).
    anonymousBoundMs: (t) => 8 * cfg(t).timeoutMs + 5 * 2 * telemetryWaitMs(cfg(t)),
  },
  alerts: {
    declared: (t) => (t.interfaces.mqtt ? t.policy.alerts?.mqttTopic : undefined),
    open: (t, account, ctx) => AlertWatch.open(cfg(t), t.policy.alerts!.mqttTopic!, account, ctx),
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
  privilege: {
    maps: (p) => p.mqtt !== undefined,
    noPoint: 'no writable numeric point with an MQTT name is declared',
    probe: (t, iface, accounts, plan, run, out) => mqttPrivilege(cfg(t), iface, accounts, plan, run, out),
    // Two connects, two subscriptions, the first telemetry, two observed commands.
    boundMs: (t) => 8 * cfg(t).timeoutMs,
  },
  secureChannel: {
    probe: (t, iface, account, run, out) => mqttPlaintext(t, cfg(t), iface, account, run, out),
    // The TLS control and up to two plaintext CONNECTs, each with TLS set-up or a connect deadline.
    boundMs: (t) => 6 * cfg(t).timeoutMs,
  },
};
export default mqttProtocol;
