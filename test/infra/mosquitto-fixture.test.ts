// The real Mosquitto fixture: modes, credentials, ACL by delivery, outage on the same port.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMosquitto, type MosquittoBroker } from '../support/mosquitto-fixture.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('mosquitto');

const clients: MqttClient[] = [];
async function client(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...opts });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}
async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
}

/** Collects messages on `topic` for `ms` milliseconds. */
async function received(sub: MqttClient, topic: string, ms: number, publish: () => Promise<unknown>): Promise<string[]> {
  const got: string[] = [];
  const on = (t: string, payload: Buffer) => {
    if (t === topic) got.push(payload.toString());
  };
  sub.on('message', on);
  try {
    await publish();
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    sub.off('message', on);
  }
  return got;
}

function refusalCode(e: unknown): number | undefined {
  return (e as { code?: number }).code;
}

describe.skipIf(parts.skip)('mosquitto fixture (real broker)', () => {
  beforeAll(() => parts.assert());

  describe('insecure mode', () => {
    let broker: MosquittoBroker;
    beforeAll(async () => {
      broker = await startMosquitto({ mode: 'insecure' });
    });
    afterAll(async () => {
      await closeClients();
      await broker?.close();
    });

    test('accepts an anonymous client and delivers', async () => {
      const sub = await client(broker.url);
      await sub.subscribeAsync('t/x', { qos: 1 });
      const pub = await client(broker.url);
      const got = await received(sub, 't/x', 300, () => pub.publishAsync('t/x', 'hello', { qos: 1 }));
      expect(got).toEqual(['hello']);
    });

    test('stop() refuses connections, start() serves again on the same port', async () => {
      const port = broker.port;
      const pid = broker.pid;
      await broker.stop();
      expect(broker.running).toBe(false);
      await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 1000 }, false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // An auto-reconnecting client (like the gateway's uplink) comes back after the outage.
      const sticky = mqtt.connect(broker.url, { reconnectPeriod: 200, connectTimeout: 1000 });
      sticky.on('error', () => undefined);
      clients.push(sticky);
      await broker.start();
      expect(broker.port).toBe(port);
      expect(broker.pid).not.toBe(pid);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('client did not reconnect within 5 s')), 5000);
        if (sticky.connected) {
          clearTimeout(t);
          resolve();
        }
        sticky.once('connect', () => {
          clearTimeout(t);
          resolve();
        });
      });
    });
  });

  describe('secure mode', () => {
    let broker: MosquittoBroker;
    beforeAll(async () => {
      broker = await startMosquitto({
        mode: 'secure',
        users: { alice: 'alice-pw-1', bob: 'bob-pw-2' },
        acl: { alice: ['readwrite #'], bob: ['read gw/telemetry', 'write gw/telemetry'] },
      });
    });
    afterAll(async () => {
      await closeClients();
      await broker?.close();
    });

    test('the valid login works (positive control)', async () => {
      const c = await client(broker.url, { username: 'alice', password: 'alice-pw-1' });
      expect(c.connected).toBe(true);
    });

    test('anonymous is refused with CONNACK 5 (v3.1.1) and 0x87 (v5)', async () => {
      const v4 = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4 }, false).then(
        (c) => (clients.push(c), 'connected'),
        refusalCode,
      );
      expect(v4).toBe(5);
      const v5 = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 5 }, false).then(
        (c) => (clients.push(c), 'connected'),
        refusalCode,
      );
      expect(v5).toBe(0x87);
    });

    test('a wrong password is refused', async () => {
      const r = await mqtt
        .connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 3000, username: 'alice', password: 'nope' }, false)
        .then((c) => (clients.push(c), 'connected'), refusalCode);
      expect(r).toBe(5);
    });

    test('ACL: a denied publish is not delivered, an allowed one is', async () => {
      const alice = await client(broker.url, { username: 'alice', password: 'alice-pw-1' });
      const bob = await client(broker.url, { username: 'bob', password: 'bob-pw-2' });
      await alice.subscribeAsync('gw/cmd', { qos: 1 });
      await alice.subscribeAsync('gw/telemetry', { qos: 1 });
      // Positive control: bob may write telemetry.
      expect(await received(alice, 'gw/telemetry', 300, () => bob.publishAsync('gw/telemetry', 'ok', { qos: 1 }))).toEqual(['ok']);
      // Mosquitto acknowledges the denied v3.1.1 publish and silently drops it: judge by delivery.
      expect(await received(alice, 'gw/cmd', 500, () => bob.publishAsync('gw/cmd', 'evil', { qos: 1 }))).toEqual([]);
    });

    test('ACL: a denied subscription receives nothing', async () => {
      const alice = await client(broker.url, { username: 'alice', password: 'alice-pw-1' });
      const bob = await client(broker.url, { username: 'bob', password: 'bob-pw-2' });
      await bob.subscribeAsync('gw/secret', { qos: 1 });
      await bob.subscribeAsync('gw/telemetry', { qos: 1 });
      expect(await received(bob, 'gw/telemetry', 300, () => alice.publishAsync('gw/telemetry', 'visible', { qos: 1 }))).toEqual(['visible']);
      expect(await received(bob, 'gw/secret', 500, () => alice.publishAsync('gw/secret', 'hidden', { qos: 1 }))).toEqual([]);
    });

    test('close() leaves no broker process behind', async () => {
      const pid = broker.pid!;
      await closeClients();
      await broker.close();
      expect(() => process.kill(pid, 0)).toThrow();
    });
  });
});
