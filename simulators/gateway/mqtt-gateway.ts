// Embedded MQTT broker (aedes 1.x, MQTT 3.1.1) with the shared account store, per-user topic
// ACLs, telemetry publishing, command handling and alert publishing.
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import type { AccountStore } from './account-store.ts';
import { newConnectionId } from './lockout-book.ts';
import type { AlertSink, SecurityAlert } from './alerts.ts';
import type { ProcessModel } from './process-model.ts';
import type { SimConfig } from './sim-config.ts';
import { handleCommand, telemetryMessage } from './mqtt-commands.ts';
import { gatewayTopics } from './mqtt-topics.ts';
import { listen } from './net-listen.ts';

export interface MqttGatewayDeps { config: SimConfig; accounts: AccountStore; model: ProcessModel; alerts: AlertSink }
export interface MqttGateway { port: number; url: string; broker: Aedes; close(): Promise<void> }

type Principal = { user: string; role: 'admin' | 'operator' | 'anonymous' };

/** aedes' AuthErrorCode is an ambient const enum (not importable at runtime): use the numbers. */
const BAD_USERNAME_OR_PASSWORD = 4, NOT_AUTHORIZED = 5;
const authError = (returnCode: number, msg: string) => Object.assign(new Error(msg), { returnCode });

export async function startMqttGateway(deps: MqttGatewayDeps, host: string, port: number, tls?: { keyPem: string; certPem: string }): Promise<MqttGateway> {
  const { config, accounts, model, alerts } = deps;
  const sw = config.switches;
  const topics = gatewayTopics(config.params.deviceId);
  const principals = new WeakMap<Client, Principal>();
  const broker = await Aedes.createBroker({ connectTimeout: 5000 });

  broker.authenticate = (client, username, password, done) => {
    if (!username) {
      if (sw.mqttAnonymous || sw.mqttAnonymousCanCommand) { principals.set(client, { user: 'anonymous', role: 'anonymous' }); return done(null, true); }
      return done(authError(NOT_AUTHORIZED, 'anonymous refused') as never, false);
    }
    // Every CONNECT is its own connection; the source is the peer's address (lockout counters key on them when flawed).
    const origin = { source: (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress ?? 'unknown', connection: newConnectionId('mqtt') };
    const r = accounts.authenticate(username, password?.toString('utf8') ?? '', 'mqtt', origin);
    if (r.ok && !r.mustChangePassword) { principals.set(client, { user: r.user, role: r.role }); return done(null, true); }
    // A default credential that must be changed is good for nothing on MQTT (no passwd command here).
    if (r.ok || r.reason === 'locked') return done(authError(NOT_AUTHORIZED, r.ok ? 'password change required' : 'account locked') as never, false);
    return done(authError(BAD_USERNAME_OR_PASSWORD, 'bad username or password') as never, false);
  };

  broker.authorizePublish = (client, packet, cb) => {
    if (packet.topic.startsWith('$SYS/')) return cb(new Error('$SYS is reserved'));
    if (!client || !sw.mqttAcl) return cb(null); // client null = the gateway itself
    const who = principals.get(client);
    if (packet.topic === topics.cmd && who?.role === 'admin') return cb(null);
    if (packet.topic === topics.cmd && who?.role === 'anonymous' && sw.mqttAnonymousCanCommand) return cb(null);
    cb(new Error(`publish to ${packet.topic} denied for ${who?.user ?? '?'}`)); // aedes closes the connection
  };

  broker.authorizeSubscribe = (client, sub, cb) => {
    if (!sw.mqttAcl) return cb(null, sub);
    const who = principals.get(client);
    const allowed = [topics.telemetry, topics.status, topics.alert];
    if (who?.role === 'admin') allowed.push(topics.cmd);
    if (who?.role === 'anonymous') allowed.splice(1); // anonymous (if allowed at all) reads telemetry only
    cb(null, allowed.includes(sub.topic) ? sub : null); // null -> SUBACK 0x80, and nothing is delivered
  };

  broker.on('clientError', () => { /* protocol errors of clients are their problem */ });
  broker.on('connectionError', () => { /* ditto */ });

  const publish = (topic: string, payload: unknown) => {
    if (broker.closed) return;
    broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 0, retain: false, dup: false }, () => {});
  };

  broker.on('publish', (packet, client) => {
    if (!client || packet.topic !== topics.cmd) return;
    const status = handleCommand(Buffer.from(packet.payload), { model, reaction: sw.rangeCheck.mqtt, alerts, user: principals.get(client)?.user, silentOutOfRange: sw.mqttSilentOutOfRange });
    if (status) publish(topics.status, status);
  });

  const onAlert = (a: SecurityAlert) => publish(topics.alert, a);
  alerts.on('alert', onAlert);
  const telemetry = setInterval(() => publish(topics.telemetry, telemetryMessage(model)), config.params.telemetryPeriodMs);
  telemetry.unref();

  const socks = new Set<Socket>();
  const server: Server = tls
    ? createTlsServer({ key: tls.keyPem, cert: tls.certPem }, broker.handle as (s: Socket) => void)
    : createNetServer(broker.handle as (s: Socket) => void);
  server.on('connection', (s: Socket) => { socks.add(s); s.once('close', () => socks.delete(s)); s.on('error', () => {}); });
  server.on('tlsClientError', () => { /* plaintext clients hitting the TLS port */ });

  let bound: number;
  try {
    bound = await listen(server, host, port);
  } catch (e) {
    clearInterval(telemetry);
    alerts.off('alert', onAlert);
    await new Promise<void>((r) => broker.close(() => r()));
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: `${tls ? 'mqtts' : 'mqtt'}://${host}:${bound}`,
    broker,
    close: () => (closing ??= (async () => {
      clearInterval(telemetry);
      alerts.off('alert', onAlert);
      for (const s of socks) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    })()),
  };
}
