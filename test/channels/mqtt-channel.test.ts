import { Aedes } from 'aedes';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MqttChannel, type MqttConnectResult } from '../../harness/protocols/mqtt/mqtt-channel.js';
import { topicMatches } from '../../harness/profile/topic-filter.js';
import { MqttInterface } from '../../harness/profile/target-schema.js';
import { closedPort, haveBinary, startMosquitto, tcpPeer, type Mosquitto, useTestCleanups } from './helpers.js';

const ALICE = 'Al1ce!Mqtt-Pass-2026';
const BOB = 'B0b!Mqtt-Pass-2026';
const hasMosquitto = haveBinary('mosquitto', '-h') && haveBinary('openssl', 'version');

const iface = (url: string, extra: Partial<MqttInterface> = {}) =>
  MqttInterface.parse({ url, topics: { telemetry: 'gw/telemetry', command: 'gw/cmd' }, timeoutMs: 1500, ...extra });

const { cleanups, evidence } = useTestCleanups();

function keep(r: MqttConnectResult): MqttChannel {
  if (!r.ok) throw new Error(`connect failed: ${r.kind} ${r.error}`);
  cleanups.push(() => r.channel.close());
  return r.channel;
}

test('topic filter matching', () => {
  expect(topicMatches('gw/#', 'gw/a/b')).toBe(true);
  expect(topicMatches('gw/+/x', 'gw/a/x')).toBe(true);
  expect(topicMatches('gw/+', 'gw/a/x')).toBe(false);
  expect(topicMatches('gw/a', 'gw/a')).toBe(true);
});

describe.skipIf(!hasMosquitto)('MQTT against a real mosquitto', () => {
  let mq: Mosquitto;
  beforeAll(async () => {
    mq = await startMosquitto({ alice: ALICE, bob: BOB });
  });
  afterAll(async () => {
    await mq?.close();
  });

  test('v5: accepted CONNACK, delivery check, SUBACK granted, negative PUBACK 135, bad creds 135; no password in evidence', async () => {
    const ev = evidence();
    const ctx = { evidence: ev.evidence };
    const i = iface(mq.url, { protocolVersion: 5 });
    const aliceR = await MqttChannel.connect(i, { username: 'alice', password: ALICE }, ctx);
    expect(aliceR).toMatchObject({ ok: true, connack: { code: 0, reasonCode: 0, sessionPresent: false } });
    const alice = keep(aliceR);
    const bob = keep(await MqttChannel.connect(i, { username: 'bob', password: BOB }, ctx));
    expect(await bob.subscribe('gw/telemetry')).toMatchObject({ ok: true, outcome: 'granted', granted: 1 });
    const wait = bob.expectMessage('gw/telemetry', (m) => m.text === '{"t":21}', 1000);
    expect(await alice.publish('gw/telemetry', '{"t":21}', { qos: 1 })).toMatchObject({ outcome: 'acked' });
    expect((await wait)?.text).toBe('{"t":21}');
    // mosquitto grants the subscription, then does not deliver: only a delivery check tells.
    expect(await bob.subscribe('gw/secret')).toMatchObject({ outcome: 'granted' });
    const got = bob.collect('gw/secret', 300);
    await alice.publish('gw/secret', 'x', { qos: 1 });
    expect(await got).toEqual([]);
    expect(await bob.publish('gw/cmd', '{"point":"x"}', { qos: 1 })).toMatchObject({ outcome: 'rejected', reasonCode: 135 });
    expect(bob.connected).toBe(true);
    const bad = await MqttChannel.connect(i, { username: 'alice', password: 'wrong' }, ctx);
    expect(bad).toMatchObject({ ok: false, kind: 'rejected', connack: { code: 135 } });
    const anon = await MqttChannel.connect(i, { anonymous: true }, ctx);
    expect(anon).toMatchObject({ ok: false, kind: 'rejected', connack: { code: 135 } });
    await alice.close();
    await alice.close();
    expect(alice.connected).toBe(false);
    expect(await alice.publish('gw/telemetry', 'late')).toMatchObject({ outcome: 'connection-closed' });
    const text = ev.fullText();
    expect(text).not.toContain(ALICE);
    expect(text).not.toContain(BOB);
    const recs = ev.records();
    expect(recs.some((r) => r.dir === 'event' && r.text?.startsWith('← CONNACK code=0'))).toBe(true);
    expect(recs.some((r) => r.dir === 'event' && r.text?.startsWith('← PUBACK') && r.text.includes('code=0x87'))).toBe(true);
    const connect = recs.find((r) => r.dir === 'tx' && r.data?.startsWith('10'));
    expect(connect?.endpoints?.proto).toBe('tcp');
    expect(connect?.protocol).toBe('mqtt');
    expect(Buffer.from(connect!.data!, 'hex').toString('latin1')).toContain('*'.repeat(ALICE.length));
  });

  test('v3.1.1: bad password gives CONNACK 5', async () => {
    const r = await MqttChannel.connect(iface(mq.url), { username: 'bob', password: 'nope' }, { evidence: evidence().evidence });
    expect(r).toMatchObject({ ok: false, kind: 'rejected', connack: { code: 5, returnCode: 5 } });
  });

  test('TLS: self-signed accepted when rejectUnauthorized=false; rejected (kind tls) otherwise; wire bytes are TLS', async () => {
    const ev = evidence();
    const ctx = { evidence: ev.evidence };
    const ok = await MqttChannel.connect(iface(mq.tlsUrl, { tls: { rejectUnauthorized: false } }), { username: 'alice', password: ALICE }, ctx);
    expect(ok.ok).toBe(true);
    keep(ok);
    const strict = await MqttChannel.connect(iface(mq.tlsUrl, { tls: { rejectUnauthorized: true } }), { username: 'alice', password: ALICE }, ctx);
    expect(strict).toMatchObject({ ok: false, kind: 'tls' });
    const plainOnTls = await MqttChannel.connect(iface(mq.tlsUrl), { username: 'alice', password: ALICE }, { evidence: ev.evidence }, { url: mq.url.replace(/:\d+$/, `:${mq.tlsUrl.split(':').pop()}`), timeoutMs: 500 });
    expect(plainOnTls.ok).toBe(false);
    const tx = ev.records().find((r) => r.dir === 'tx' && r.attrs?.tls === true);
    expect(tx?.data?.startsWith('16')).toBe(true); // TLS handshake record
    expect(ev.fullText()).not.toContain(ALICE);
  });
});

describe('MQTT against aedes (3.1.1: denial closes the connection) and misbehaving peers', () => {
  test('aedes: SUBACK 0x80 per topic, denied publish -> connection-closed, CONNACK 4', async () => {
    const broker = await Aedes.createBroker();
    broker.authenticate = (_c, u, p, done) => {
      if (u === 'alice' && p?.toString() === ALICE) return done(null, true);
      done(Object.assign(new Error('bad'), { returnCode: 4 }) as never, false);
    };
    broker.authorizePublish = (_c, packet, cb) => cb(packet.topic.startsWith('gw/cmd') ? new Error('denied') : null);
    broker.authorizeSubscribe = (_c, sub, cb) => cb(null, sub.topic.startsWith('secret/') ? null : sub);
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      broker.handle(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    });
    const i = iface(`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const ctx = { evidence: evidence().evidence };
    expect(await MqttChannel.connect(i, { username: 'alice', password: 'x' }, ctx)).toMatchObject({ ok: false, kind: 'rejected', connack: { code: 4 } });
    const a = keep(await MqttChannel.connect(i, { username: 'alice', password: ALICE }, ctx));
    expect(await a.subscribe('secret/x')).toMatchObject({ ok: false, outcome: 'rejected', granted: 0x80 });
    expect(await a.subscribe('gw/telemetry', { qos: 0 })).toMatchObject({ ok: true, granted: 0 });
    const t0 = Date.now();
    expect(await a.publish('gw/cmd', '{}', { qos: 1 })).toMatchObject({ outcome: 'connection-closed', connectionClosed: true });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(a.connected).toBe(false);
  });

  test('silent peer: timeout (no CONNACK) within the deadline', async () => {
    const peer = await tcpPeer(() => undefined);
    cleanups.push(() => peer.close());
    const t0 = Date.now();
    const r = await MqttChannel.connect(iface(`mqtt://127.0.0.1:${peer.port}`, { timeoutMs: 300 }), { anonymous: true }, { evidence: evidence().evidence });
    expect(r).toMatchObject({ ok: false, kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  test('peer closing right after CONNECT: kind closed; garbage answer: not ok', async () => {
    const closer = await tcpPeer((s) => s.once('data', () => s.destroy()));
    cleanups.push(() => closer.close());
    expect(await MqttChannel.connect(iface(`mqtt://127.0.0.1:${closer.port}`), { anonymous: true }, { evidence: evidence().evidence })).toMatchObject({ ok: false, kind: 'closed' });
    const garbage = await tcpPeer((s) => s.once('data', () => s.write('SSH-2.0-OpenSSH_9.2\r\n')));
    cleanups.push(() => garbage.close());
    const g = await MqttChannel.connect(iface(`mqtt://127.0.0.1:${garbage.port}`, { timeoutMs: 500 }), { anonymous: true }, { evidence: evidence().evidence });
    expect(g.ok).toBe(false);
    expect(['protocol', 'closed', 'timeout']).toContain(g.ok ? '' : g.kind);
  });

  test('connection refused: kind refused', async () => {
    const port = await closedPort();
    expect(await MqttChannel.connect(iface(`mqtt://127.0.0.1:${port}`), { anonymous: true }, { evidence: evidence().evidence })).toMatchObject({ ok: false, kind: 'refused' });
  });
});
