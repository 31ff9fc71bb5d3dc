// MQTT through the real mqtt.js client: anonymous, bad credentials, TLS, ACL by delivery,
// commands with range reactions, alerts, shared lockout, external broker and reconnect policy.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD, DEFAULT_OPERATOR_PASSWORD, SIM_ACCOUNT_NAMES, gatewayTopics, startSimulator, type Simulator, type StartOptions } from '../../simulators/gateway/index.ts';
import { probeFreePort } from '../../simulators/gateway/net-listen.ts';
import { needParts } from '../support/real-parts.ts';
import { sleep, tcpConsole, waitUntil } from './sim-test-kit.ts';

const parts = await needParts('socat');
const ADMIN = process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
const OPER = process.env.HIL_SIM_OPERATOR_PASSWORD || DEFAULT_OPERATOR_PASSWORD;
const NET = SIM_ACCOUNT_NAMES.network;
const T = gatewayTopics('gw-sim-01');

describe.skipIf(parts.skip)('MQTT', () => {
  const sims: Simulator[] = [];
  const clients: MqttClient[] = [];
  let hard: Simulator, weak: Simulator;
  const sim = async (o: Omit<StartOptions, 'opcua'>) => { const s = await startSimulator({ ...o, opcua: false }); sims.push(s); return s; };
  const opts = (s: Simulator, o: IClientOptions = {}): IClientOptions => ({
    protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000,
    ...(s.endpoints.mqttCaFile ? { ca: readFileSync(s.endpoints.mqttCaFile) } : {}), ...o,
  });
  const connect = async (s: Simulator, o: IClientOptions = {}) => {
    const c = await mqtt.connectAsync(s.endpoints.mqtt, opts(s, o), false);
    clients.push(c);
    c.on('error', () => {});
    return c;
  };
  const connectError = async (s: Simulator, o: IClientOptions = {}) => {
    try { const c = await connect(s, o); return `connected ${c.connected}`; } catch (e) { return (e as { code?: number }).code; }
  };
  /** Collects messages on a topic. */
  const collect = async (c: MqttClient, topic: string) => {
    const msgs: Record<string, unknown>[] = [];
    c.on('message', (t, p) => { if (t === topic) msgs.push(JSON.parse(p.toString())); });
    await c.subscribeAsync(topic, { qos: 0 });
    return msgs;
  };

  beforeAll(async () => {
    parts.assert();
    [hard, weak] = await Promise.all([
      sim({ profile: 'hardened', config: { params: { telemetryPeriodMs: 100 } } }),
      sim({ profile: 'weak', config: { params: { telemetryPeriodMs: 100 } } }),
    ]);
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    for (const s of sims) await s.stop();
  });

  test('hardened listens with TLS only; anonymous -> 5, bad password -> 4', async () => {
    expect(hard.endpoints.mqtt).toMatch(/^mqtts:\/\//);
    expect(await connectError(hard)).toBe(5);
    expect(await connectError(hard, { username: NET.operator, password: 'wrong' })).toBe(4);
    // plaintext MQTT against the TLS port gets nowhere
    const plain = hard.endpoints.mqtt.replace('mqtts:', 'mqtt:');
    await expect(mqtt.connectAsync(plain, { reconnectPeriod: 0, connectTimeout: 1000, username: NET.admin, password: ADMIN }, false)).rejects.toThrow();
    const c = await connect(hard, { username: NET.operator, password: OPER });
    expect(c.connected).toBe(true);
  });

  test('weak: plaintext, anonymous accepted', async () => {
    expect(weak.endpoints.mqtt).toMatch(/^mqtt:\/\//);
    const c = await connect(weak);
    expect(c.connected).toBe(true);
  });

  test('hardened ACL: operator reads telemetry but its cmd never takes effect; admin cmd works', async () => {
    const op = await connect(hard, { username: NET.operator, password: OPER });
    const tele = await collect(op, T.telemetry);
    await waitUntil(() => tele.length > 0, 2000);
    expect(tele[0]).toMatchObject({ heaterSetpoint: expect.any(Number), heartbeat: expect.any(Number), safeState: expect.any(Boolean) });
    await expect(op.subscribeAsync(T.cmd)).rejects.toThrow(/Subscribe error/);
    const before = hard.model.commanded.valvePosition;
    op.publish(T.cmd, JSON.stringify({ point: 'valvePosition', value: 66 }), { qos: 0 });
    await sleep(300);
    expect(hard.model.commanded.valvePosition).toBe(before);
    const admin = await connect(hard, { username: NET.admin, password: ADMIN });
    const status = await collect(admin, T.status);
    await admin.publishAsync(T.cmd, JSON.stringify({ id: 1, point: 'valvePosition', value: 66 }), { qos: 1 });
    await waitUntil(() => status.some((s) => s.id === 1), 2000);
    expect(status.find((s) => s.id === 1)).toMatchObject({ ok: true, point: 'valvePosition', value: 66 });
    expect(hard.model.commanded.valvePosition).toBe(66);
    // nobody but the gateway publishes telemetry
    const admin2 = await connect(hard, { username: NET.admin, password: ADMIN });
    admin2.publish(T.telemetry, JSON.stringify({ heaterSetpoint: 999 }));
    await sleep(300);
    expect(tele.some((m) => m.heaterSetpoint === 999)).toBe(false);
  });

  test('weak: no ACL, anonymous command applied, out-of-range accepted', async () => {
    const anon = await connect(weak);
    const tele = await collect(anon, T.telemetry);
    anon.publish(T.telemetry, JSON.stringify({ heaterSetpoint: 999 }));
    await anon.publishAsync(T.cmd, JSON.stringify({ point: 'heaterSetpoint', value: 150 }), { qos: 1 });
    await waitUntil(() => weak.model.commanded.heaterSetpoint === 150, 2000);
    await waitUntil(() => tele.some((m) => m.heaterSetpoint === 999), 2000);
  });

  test('hardened: out-of-range and wrong-type commands rejected with status and alert, value unchanged', async () => {
    const admin = await connect(hard, { username: NET.admin, password: ADMIN });
    const status = await collect(admin, T.status);
    const alerts = await collect(admin, T.alert);
    const before = hard.model.commanded.heaterSetpoint;
    await admin.publishAsync(T.cmd, JSON.stringify({ id: 'r1', point: 'heaterSetpoint', value: 81 }), { qos: 1 });
    await admin.publishAsync(T.cmd, JSON.stringify({ id: 'r2', point: 'heaterSetpoint', value: '55' }), { qos: 1 });
    await admin.publishAsync(T.cmd, 'not json', { qos: 1 });
    await waitUntil(() => status.length >= 3, 2000);
    expect(status.find((s) => s.id === 'r1')).toMatchObject({ ok: false, reason: 'out-of-range' });
    expect(status.find((s) => s.id === 'r2')).toMatchObject({ ok: false, reason: 'bad-type' });
    expect(status.some((s) => s.reason === 'bad-json')).toBe(true);
    expect(hard.model.commanded.heaterSetpoint).toBe(before);
    await waitUntil(() => alerts.some((a) => a.event === 'command-rejected'), 2000);
  });

  test('mqttSilentOutOfRange: an out-of-range command is applied with no status reply; in-range ones still answered', async () => {
    const s = await sim({ profile: 'hardened', config: { switches: { mqttSilentOutOfRange: true }, params: { telemetryPeriodMs: 100 } } });
    const admin = await connect(s, { username: NET.admin, password: ADMIN });
    const status = await collect(admin, T.status);
    await admin.publishAsync(T.cmd, JSON.stringify({ id: 's1', point: 'heaterSetpoint', value: 81 }), { qos: 1 });
    await waitUntil(() => s.model.commanded.heaterSetpoint === 81, 2000);
    await admin.publishAsync(T.cmd, JSON.stringify({ id: 's2', point: 'heaterSetpoint', value: 50 }), { qos: 1 });
    await waitUntil(() => status.some((m) => m.id === 's2'), 2000);
    expect(status.find((m) => m.id === 's2')).toMatchObject({ ok: true, value: 50 });
    expect(status.some((m) => m.id === 's1')).toBe(false);
    // wrong types are still rejected with a reply: only the range check is silent
    await admin.publishAsync(T.cmd, JSON.stringify({ id: 's3', point: 'heaterSetpoint', value: '55' }), { qos: 1 });
    await waitUntil(() => status.some((m) => m.id === 's3'), 2000);
    expect(status.find((m) => m.id === 's3')).toMatchObject({ ok: false, reason: 'bad-type' });
  });

  test('mqttAnonymousCanCommand: anonymous CONNECT accepted and its command applied even with the ACL on; mqttAnonymous alone cannot command', async () => {
    const s = await sim({ profile: 'hardened', config: { switches: { mqttAnonymousCanCommand: true }, params: { telemetryPeriodMs: 100 } } });
    const anon = await connect(s);
    await anon.publishAsync(T.cmd, JSON.stringify({ point: 'valvePosition', value: 31 }), { qos: 1 });
    await waitUntil(() => s.model.commanded.valvePosition === 31, 2000);
    const readOnly = await sim({ profile: 'hardened', config: { switches: { mqttAnonymous: true }, params: { telemetryPeriodMs: 100 } } });
    const anon2 = await connect(readOnly);
    const before = readOnly.model.commanded.valvePosition;
    anon2.publish(T.cmd, JSON.stringify({ point: 'valvePosition', value: 31 }), { qos: 0 });
    await sleep(300);
    expect(readOnly.model.commanded.valvePosition).toBe(before);
  });

  test('lockout: failures on MQTT lock the MQTT account (MQTT refuses the correct password); the console has its own accounts', async () => {
    const s = await sim({ profile: 'hardened', config: { switches: { mqttTls: false }, params: { lockoutDurationMs: 1500 } } });
    const watcher = await connect(s, { username: NET.admin, password: ADMIN });
    const alerts = await collect(watcher, T.alert);
    for (let i = 0; i < 3; i++) expect(await connectError(s, { username: NET.operator, password: 'bad' })).toBe(4);
    expect(await connectError(s, { username: NET.operator, password: OPER })).toBe(5);
    // The console's account database is another one: its operator is not locked by MQTT failures.
    const con = await tcpConsole(s.endpoints.console.tcp);
    expect(await con.reader.login(SIM_ACCOUNT_NAMES.console.operator, OPER, /(account suspended|\]\$ )/)).toMatch(/\]\$ $/);
    con.close();
    await waitUntil(() => alerts.some((a) => a.event === 'account-locked' && a.user === NET.operator), 2000);
    await sleep(1600);
    const ok = await connect(s, { username: NET.operator, password: OPER });
    expect(ok.connected).toBe(true);
  });

  test('external broker: telemetry goes out and commands come in through it', async () => {
    const broker = await sim({ profile: 'weak' }); // a plain anonymous broker to stand in for the plant broker
    const gw = await sim({ profile: 'hardened', externalBrokerUrl: broker.endpoints.mqtt, config: { params: { deviceId: 'gw-ext', telemetryPeriodMs: 100 } } });
    const t = gatewayTopics('gw-ext');
    const c = await connect(broker);
    const tele = await collect(c, t.telemetry);
    await waitUntil(() => tele.length > 0 && gw.externalMqtt!.connected, 3000);
    await c.publishAsync(t.cmd, JSON.stringify({ point: 'pumpOn', value: false }), { qos: 1 });
    await waitUntil(() => gw.model.commanded.pumpOn === false, 2000);
  });

  test('external broker outage: hardened backs off, weak storms', async () => {
    const dead = await probeFreePort('127.0.0.1'); // nothing listens there
    const url = `mqtt://127.0.0.1:${dead}`;
    const [h, w] = await Promise.all([sim({ profile: 'hardened', externalBrokerUrl: url }), sim({ profile: 'weak', externalBrokerUrl: url })]);
    await sleep(1700);
    // back-off 500, 1000 -> at most 3 attempts in 1.7 s; a 50 ms storm -> dozens
    expect(h.externalMqtt!.attempts).toBeLessThanOrEqual(3);
    expect(w.externalMqtt!.attempts).toBeGreaterThanOrEqual(10);
  });
});
