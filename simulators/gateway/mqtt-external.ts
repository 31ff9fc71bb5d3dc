// The gateway as an MQTT client of an external broker (for broker-outage tests): publishes
// telemetry, takes commands, and reconnects with back-off (hardened) or a fixed storm (weak).
import mqtt, { type MqttClient } from 'mqtt';
import type { AlertSink } from './alerts.ts';
import type { ProcessModel } from './process-model.ts';
import type { SimConfig } from './sim-config.ts';
import { handleCommand, telemetryMessage } from './mqtt-commands.ts';
import { gatewayTopics } from './mqtt-topics.ts';

export interface ExternalMqttLink {
  /** Connection attempts so far, the first one included. */
  readonly attempts: number;
  readonly connected: boolean;
  close(): Promise<void>;
}

export function startExternalMqtt(url: string, deps: { config: SimConfig; model: ProcessModel; alerts: AlertSink }): ExternalMqttLink {
  const { config, model, alerts } = deps;
  const topics = gatewayTopics(config.params.deviceId);
  const rc = config.params.externalReconnect;
  let attempts = 1;
  let delay = rc.initialMs;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  // mqtt.js only knows a fixed reconnectPeriod, so reconnects are scheduled here.
  const client: MqttClient = mqtt.connect(url, {
    clientId: `${config.params.deviceId}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 0,
    connectTimeout: 3000,
    protocolVersion: 4,
  });
  client.on('error', () => { /* counted through close/reconnect */ });
  client.on('connect', () => {
    delay = rc.initialMs;
    client.subscribe(topics.cmd, { qos: 1 }, () => {});
  });
  client.on('close', () => {
    if (stopped || retryTimer) return;
    const wait = delay;
    delay = rc.mode === 'backoff' ? Math.min(rc.maxMs, delay * 2) : rc.initialMs;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (stopped) return;
      attempts++;
      client.reconnect();
    }, wait);
  });
  client.on('message', (topic, payload) => {
    if (topic !== topics.cmd) return;
    const status = handleCommand(payload, { model, reaction: config.switches.rangeCheck.mqtt, alerts, silentOutOfRange: config.switches.mqttSilentOutOfRange });
    if (status) client.publish(topics.status, JSON.stringify(status));
  });
  const onAlert = (a: unknown) => { if (client.connected) client.publish(topics.alert, JSON.stringify(a)); };
  alerts.on('alert', onAlert);
  const telemetry = setInterval(() => {
    if (client.connected) client.publish(topics.telemetry, JSON.stringify(telemetryMessage(model)));
  }, config.params.telemetryPeriodMs);
  telemetry.unref();

  return {
    get attempts() { return attempts; },
    get connected() { return client.connected; },
    async close() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(telemetry);
      alerts.off('alert', onAlert);
      await client.endAsync(true).catch(() => {});
    },
  };
}
