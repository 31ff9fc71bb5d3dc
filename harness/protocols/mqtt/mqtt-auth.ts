import type { Findings } from '../../core/finding.js';
import { ChannelError, type ChannelContext } from '../transport/channel.js';
import { MqttChannel, type MqttConnectResult, type MqttCredentials } from './mqtt-channel.js';
import type { MqttInterface } from '../../profile/target-schema.js';
import type { AuthAttempt, AuthOutcome, AuthSurface, ControlAccount, UnauthenticatedResult } from '../capabilities/auth-surface.js';
import { mqttUnauthenticated, type MqttSessionProbe } from './mqtt-unauthenticated.js';
import { mqttAnonymousCommand, type CommandPoint } from './mqtt-anonymous-command.js';

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
    /** The point an accepted anonymous client tries to command (undefined: none declared). */
    private readonly commandPoint?: CommandPoint,
  ) {}

  /** The channel registers the password with the evidence redactor before it is sent. */
  attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt> {
    return this.login({ username, password }, signal);
  }

  /** Positive control with a declared account, then an anonymous CONNECT judged by what it can read. */
  unauthenticated(account: ControlAccount | undefined, signal: AbortSignal, out?: Findings): Promise<UnauthenticatedResult> {
    return mqttUnauthenticated(this.cfg, account, (creds) => this.session(creds, signal), (acct) =>
      mqttAnonymousCommand(this.cfg, this.commandPoint, acct, telemetryWaitMs(this.cfg), this.ctx, signal),
    out);
  }

  private async login(creds: MqttCredentials, signal: AbortSignal): Promise<AuthAttempt> {
    const t0 = performance.now();
    const done = (outcome: AuthOutcome, detail: string): AuthAttempt => ({ outcome, detail, durationMs: Math.round(performance.now() - t0) });
    const s = await this.session(creds, signal);
    const topic = this.cfg.topics.telemetry;
    switch (s.stage) {
      case 'unreachable':
        return done('error', `mqtt: ${s.error}`);
      case 'connect': {
        const r = s.connect;
        if (!r.ok && r.kind === 'rejected' && r.connack) return done(connackOutcome(r.connack.code, this.cfg.protocolVersion), `mqtt: CONNACK ${r.connack.code} (${r.connack.reason})`);
        return done('error', `mqtt: connect failed (${r.ok ? '' : r.kind}): ${r.ok ? '' : r.error}`);
      }
      case 'subscribe':
        return s.rejected
          ? done('restricted', `mqtt: CONNACK 0 but SUBACK 0x${(s.granted ?? 0x80).toString(16)} for ${topic}`)
          : done('error', `mqtt: CONNACK 0, subscribe ${topic}: ${s.outcome}`);
      case 'telemetry':
        if (s.received) return done('accepted', `mqtt: CONNACK 0 and telemetry received on ${topic}`);
        // Granted but nothing delivered: a broker that hides ACL denials, or a session it dropped.
        return s.stillConnected
          ? done('restricted', `mqtt: CONNACK 0, SUBACK granted, but no telemetry on ${topic} within ${telemetryWaitMs(this.cfg)} ms`)
          : done('error', 'mqtt: CONNACK 0, then the connection closed before any telemetry');
    }
  }

  /**
   * CONNECT, then SUBSCRIBE to telemetry and wait for one message: how far a client with these
   * credentials gets. The connection is always closed before returning.
   */
  private async session(creds: MqttCredentials, signal: AbortSignal): Promise<MqttSessionProbe> {
    let r: MqttConnectResult;
    try {
      r = await MqttChannel.connect(this.cfg, creds, this.ctx, { signal });
    } catch (e) {
      if (e instanceof ChannelError && e.kind === 'aborted') throw e;
      return { stage: 'unreachable', error: (e as Error).message };
    }
    if (!r.ok) return { stage: 'connect', connect: r };
    const ch = r.channel;
    try {
      const topic = this.cfg.topics.telemetry;
      const sub = await ch.subscribe(topic, { qos: 0, signal });
      if (!sub.ok) return { stage: 'subscribe', connect: r, rejected: sub.outcome === 'rejected', granted: sub.granted, outcome: sub.outcome };
      // Two declared telemetry periods, where the profile declares one longer than the reply deadline.
      const msg = await ch.expectMessage(topic, () => true, telemetryWaitMs(this.cfg), { signal });
      return { stage: 'telemetry', connect: r, received: msg !== undefined, stillConnected: ch.connected };
    } finally {
      await ch.close();
    }
  }
}

/** How long a client waits for one telemetry message: the reply deadline, or two declared periods if longer. */
export function telemetryWaitMs(cfg: MqttInterface): number {
  return Math.max(cfg.timeoutMs, 2 * (cfg.telemetryPeriodMs ?? 0));
}
