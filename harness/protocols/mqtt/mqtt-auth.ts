import { ChannelError, type ChannelContext } from '../transport/channel.js';
import { MqttChannel, type MqttConnectResult, type MqttCredentials } from './mqtt-channel.js';
import type { MqttInterface } from '../../profile/target-schema.js';
import type { AuthAttempt, AuthOutcome, AuthSurface } from '../capabilities/auth-surface.js';

/** CONNACK codes that mean "credentials refused" (3.1.1: 4 bad user/password, 5 not authorized; 5: 0x86, 0x87). */
const REFUSED_V3 = new Set([4, 5]);
const REFUSED_V5 = new Set([0x86, 0x87]);
/** MQTT 5 "Banned" is the only code that says the client (not the password) is blocked. */
const LOCKED_V5 = new Set([0x8a]);

/** How the CONNACK code maps to an outcome; anything else (server unavailable, protocol error) decides nothing. */
export function connackOutcome(code: number, protocolVersion: number): AuthOutcome {
  if (protocolVersion === 5) return REFUSED_V5.has(code) ? 'refused' : LOCKED_V5.has(code) ? 'locked' : 'error';
  return REFUSED_V3.has(code) ? 'refused' : 'error';
}

/**
 * MQTT CONNECT as a login. Every attempt is a fresh TCP (and TLS) connection with reconnect off,
 * so a device cannot carry login state in a socket and "reconnecting resets the counter" is
 * exercised by construction. CONNACK 0 alone proves nothing (a permissive broker says yes to
 * anyone, some gateways accept and then drop): 'accepted' needs the authenticated-only action
 * too, which is receiving a message on the telemetry topic. Reading telemetry shows the session
 * was authorised for data without publishing anything, so process state is never touched.
 * MQTT cannot say "locked" (3.1.1 has no code for it): a lock shows as 'refused'.
 */
export class MqttAuthSurface implements AuthSurface {
  readonly iface = 'mqtt' as const;

  constructor(
    private readonly cfg: MqttInterface,
    private readonly ctx: ChannelContext,
  ) {}

  /** The channel registers the password with the evidence redactor before it is sent. */
  attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt> {
    return this.login({ username, password }, signal);
  }

  /** CONNECT without user name and password; 'accepted' = telemetry was delivered to an anonymous client. */
  anonymous(signal: AbortSignal): Promise<AuthAttempt> {
    return this.login({ anonymous: true }, signal);
  }

  private async login(creds: MqttCredentials, signal: AbortSignal): Promise<AuthAttempt> {
    const t0 = performance.now();
    const done = (outcome: AuthOutcome, detail: string): AuthAttempt => ({ outcome, detail, durationMs: Math.round(performance.now() - t0) });
    let r: MqttConnectResult;
    try {
      r = await MqttChannel.connect(this.cfg, creds, this.ctx, { signal });
    } catch (e) {
      if (e instanceof ChannelError && e.kind === 'aborted') throw e;
      return done('error', `mqtt: ${(e as Error).message}`);
    }
    if (!r.ok) {
      if (r.kind === 'rejected' && r.connack) {
        const v = this.cfg.protocolVersion;
        return done(connackOutcome(r.connack.code, v), `mqtt: CONNACK ${r.connack.code} (${r.connack.reason})`);
      }
      return done('error', `mqtt: connect failed (${r.kind}): ${r.error}`);
    }
    const ch = r.channel;
    try {
      const topic = this.cfg.topics.telemetry;
      const sub = await ch.subscribe(topic, { qos: 0, signal });
      if (!sub.ok) {
        return sub.outcome === 'rejected'
          ? done('restricted', `mqtt: CONNACK 0 but SUBACK 0x${(sub.granted ?? 0x80).toString(16)} for ${topic}`)
          : done('error', `mqtt: CONNACK 0, subscribe ${topic}: ${sub.outcome}`);
      }
      const msg = await ch.expectMessage(topic, () => true, this.cfg.timeoutMs, { signal });
      if (msg) return done('accepted', `mqtt: CONNACK 0 and telemetry received on ${topic}`);
      // Granted but nothing delivered: a broker that hides ACL denials, or a session it dropped.
      return ch.connected
        ? done('restricted', `mqtt: CONNACK 0, SUBACK granted, but no telemetry on ${topic} within ${this.cfg.timeoutMs} ms`)
        : done('error', 'mqtt: CONNACK 0, then the connection closed before any telemetry');
    } finally {
      await ch.close();
    }
  }
}
