/**
 * MQTT publish flood at a target rate: QoS 1 publishes on one authenticated session, at most
 * `maxInFlight` unacknowledged; a PUBACK is the verified response. Uses mqtt.js directly (the
 * MqttChannel logs every packet, which a flood would turn into thousands of records); the
 * caller logs one summary per step.
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions, MqttClient } from 'mqtt';
import { percentile, round2 } from '../monitor/stats.js';

export interface MqttStormOptions {
  url: string;
  username?: string;
  password?: string;
  protocolVersion: 3 | 4 | 5;
  tls?: { rejectUnauthorized?: boolean; caFile?: string };
  topic: string;
  /** Payload of the i-th message. */
  payload: (i: number) => string | Buffer;
  ratePerSec: number;
  durationMs: number;
  maxInFlight?: number;
  drainMs?: number;
  /** The interface's declared timeout. */
  connectTimeoutMs: number;
  signal?: AbortSignal;
}

export interface MqttStormResult {
  requestedRate: number;
  connected: boolean;
  sent: number;
  verifiedResponses: number;
  unanswered: number;
  throttled: number;
  elapsedMs: number;
  achievedRate: number;
  verifiedRate: number;
  latencyP95Ms: number | null;
  /** The broker closed the session during the flood. */
  disconnected: boolean;
  errors: string[];
}

const TICK_MS = 5;

export async function runMqttStorm(opts: MqttStormOptions): Promise<MqttStormResult> {
  const errors = new Set<string>();
  const maxInFlight = opts.maxInFlight ?? 200;
  const options: IClientOptions = {
    reconnectPeriod: 0,
    connectTimeout: opts.connectTimeoutMs,
    protocolVersion: opts.protocolVersion,
    clientId: `hil-storm-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    ...(opts.username ? { username: opts.username, password: opts.password } : {}),
    ...(opts.tls ? { rejectUnauthorized: opts.tls.rejectUnauthorized ?? true, ...(opts.tls.caFile ? { ca: readFileSync(opts.tls.caFile) } : {}) } : {}),
  };
  const base = { requestedRate: opts.ratePerSec, sent: 0, verifiedResponses: 0, unanswered: 0, throttled: 0, elapsedMs: 0, achievedRate: 0, verifiedRate: 0, latencyP95Ms: null };
  let client: MqttClient;
  try {
    // Loaded here, not at start-up: only a storm needs mqtt.js in this module.
    const mqtt = await import('mqtt');
    client = await mqtt.connectAsync(opts.url, options, false);
  } catch (e) {
    return { ...base, connected: false, disconnected: false, errors: [(e as Error).message] };
  }
  client.on('error', (e) => errors.add(e.message));
  let disconnected = false;
  client.on('close', () => { disconnected = true; });
  let sent = 0, acked = 0, throttled = 0, inFlight = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const step = () => {
      const elapsed = performance.now() - t0;
      if (elapsed >= opts.durationMs || opts.signal?.aborted || disconnected) return resolve();
      const due = Math.floor((elapsed / 1000) * opts.ratePerSec);
      while (sent + throttled < due) {
        if (inFlight >= maxInFlight) { throttled++; continue; }
        const at = performance.now();
        inFlight++;
        client.publish(opts.topic, opts.payload(sent), { qos: 1 }, (err) => {
          inFlight--;
          if (err) errors.add(err.message);
          else { acked++; latencies.push(performance.now() - at); }
        });
        sent++;
      }
      setTimeout(step, TICK_MS);
    };
    step();
  });
  const sendEnd = performance.now();
  const drainUntil = sendEnd + (opts.drainMs ?? 500);
  while (inFlight > 0 && !disconnected && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
  const unanswered = inFlight;
  await client.endAsync(true).catch(() => undefined);
  const elapsedMs = Math.max(1, sendEnd - t0);
  return {
    requestedRate: opts.ratePerSec,
    connected: true,
    sent,
    verifiedResponses: acked,
    unanswered,
    throttled,
    elapsedMs: Math.round(elapsedMs),
    achievedRate: Math.round((sent * 1000) / elapsedMs),
    verifiedRate: Math.round((acked * 1000) / elapsedMs),
    latencyP95Ms: round2(percentile(latencies, 95)),
    disconnected,
    errors: [...errors].slice(0, 5),
  };
}
