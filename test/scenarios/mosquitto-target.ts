// A target profile whose only interface is a real Mosquitto broker (test/support/mosquitto-fixture.ts).
import { afterAll, beforeAll } from 'vitest';
import { defineTarget } from '../../harness/profile/load-target.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import { startMosquitto, type MosquittoBroker } from '../support/mosquitto-fixture.js';

export const MQ_TOPICS = { telemetry: 'gw/mq-01/telemetry', command: 'gw/mq-01/cmd' } as const;

/** Account passwords for the broker; the profile names these environment variables. */
process.env.HIL_MQ_ADMIN_PASSWORD ??= `Mq-admin-${process.pid}#A`;
process.env.HIL_MQ_USER_PASSWORD ??= `Mq-user-${process.pid}#U`;
export const MQ_USERS = { admin: process.env.HIL_MQ_ADMIN_PASSWORD, operator: process.env.HIL_MQ_USER_PASSWORD };

/** The broker as a gateway's MQTT interface, declaring the hardened policy (no anonymous, separation on). */
export function mosquittoTarget(url: string, port: number, opts: { mqttTls?: boolean } = {}): TargetProfile {
  return defineTarget({
    name: 'mosquitto',
    identity: { vendor: 'Eclipse', model: 'mosquitto', firmware: 'debian' },
    allowStateChanges: true,
    interfaces: { mqtt: { url, topics: { ...MQ_TOPICS }, timeoutMs: 2000 } },
    credentials: {
      admin: { username: 'admin', password: { env: 'HIL_MQ_ADMIN_PASSWORD' }, role: 'admin' },
      user: { username: 'operator', password: { env: 'HIL_MQ_USER_PASSWORD' }, role: 'user' },
    },
    policy: {
      ports: { tcp: [port] },
      secureChannel: { mqttTls: opts.mqttTls ?? false, opcuaSecurityNone: false },
      points: { heaterSetpoint: { type: 'number', min: 0, max: 80, mqtt: { name: 'heaterSetpoint' } } },
    },
  });
}

/**
 * A real Mosquitto pair for a describe block: `insecure` (anonymous allowed) and `secure` (password
 * file with the two accounts, ACL: admin everything, operator reads telemetry). Started in
 * beforeAll after `assert` (the real-parts check), stopped in afterAll.
 */
export function useMosquittoPair(assert: () => void): { readonly insecure: MosquittoBroker; readonly secure: MosquittoBroker } {
  const brokers: { insecure?: MosquittoBroker; secure?: MosquittoBroker } = {};
  beforeAll(async () => {
    assert();
    brokers.insecure = await startMosquitto({ mode: 'insecure' });
    brokers.secure = await startMosquitto({
      mode: 'secure',
      users: { admin: MQ_USERS.admin, operator: MQ_USERS.operator },
      acl: { admin: ['readwrite #'], operator: [`read ${MQ_TOPICS.telemetry}`] },
    });
  });
  afterAll(async () => {
    await brokers.insecure?.close();
    await brokers.secure?.close();
  });
  return {
    get insecure() {
      return brokers.insecure!;
    },
    get secure() {
      return brokers.secure!;
    },
  };
}
