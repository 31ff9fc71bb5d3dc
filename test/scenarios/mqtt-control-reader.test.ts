// unauthenticated-access on MQTT: the positive control's account is picked by role (the least
// privileged first); when that account may not read telemetry, the other declared accounts are
// tried, so the anonymous client's command still has a witness. Against a real Mosquitto whose
// ACL lets anonymous clients read telemetry and write commands (a weak broker set-up), with a
// stand-in gateway on it that applies commands to the telemetry it publishes.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import unauthenticatedAccess from '../../scenarios/unauthenticated-access.scenario.js';
import { defineTarget } from '../../harness/profile/load-target.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import { needParts } from '../support/real-parts.js';
import { startMosquitto, type MosquittoBroker } from '../support/mosquitto-fixture.js';
import { runScenarioOnProfile } from './run-profile.js';

const mq = await needParts('mosquitto');
const TOPICS = { telemetry: 'gw/rd-01/telemetry', command: 'gw/rd-01/cmd' } as const;
const PW = { admin: `Rd-admin-${process.pid}#A`, operator: `Rd-op-${process.pid}#O`, device: `Rd-dev-${process.pid}#D` };
const env = { ...process.env, HIL_RD_ADMIN: PW.admin, HIL_RD_OPERATOR: PW.operator, HIL_RD_DEVICE: PW.device };

/** The broker as the gateway's MQTT interface; `device` (may only publish telemetry) is the first non-admin account declared. */
function target(url: string, port: number, accounts: Array<'device' | 'operator' | 'admin'>): TargetProfile {
  const declared = {
    device: { username: 'device', password: { env: 'HIL_RD_DEVICE' }, role: 'uplink', interfaces: ['mqtt'] },
    operator: { username: 'operator', password: { env: 'HIL_RD_OPERATOR' }, role: 'viewer', interfaces: ['mqtt'] },
    admin: { username: 'admin', password: { env: 'HIL_RD_ADMIN' }, role: 'admin', interfaces: ['mqtt'] },
  };
  return defineTarget({
    name: 'mosquitto-reader',
    identity: { vendor: 'Eclipse', model: 'mosquitto', firmware: 'debian' },
    interfaces: { mqtt: { url, topics: { ...TOPICS }, timeoutMs: 1500 } },
    accounts: accounts.map((a) => declared[a]),
    roles: {
      uplink: { mqtt: { read: [], write: [TOPICS.telemetry] } },
      viewer: { mqtt: { read: [TOPICS.telemetry], write: [] } },
    },
    policy: {
      ports: { tcp: [port] },
      secureChannel: { mqttTls: false, opcuaSecurityNone: false },
      points: { heaterSetpoint: { type: 'number', min: 0, max: 80, mqtt: { name: 'heaterSetpoint' } } },
    },
  });
}

/** What the gateway does on its broker: publish its setpoint every 200 ms and apply commands to it. */
async function standInGateway(url: string): Promise<{ stop(): Promise<void> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, username: 'admin', password: PW.admin });
  let setpoint = 40;
  await client.subscribeAsync(TOPICS.command);
  client.on('message', (_t, payload) => {
    const c = JSON.parse(payload.toString()) as { point?: string; value?: number };
    if (c.point === 'heaterSetpoint' && typeof c.value === 'number') setpoint = c.value;
  });
  const timer = setInterval(() => void client.publish(TOPICS.telemetry, JSON.stringify({ heaterSetpoint: setpoint })), 200);
  return {
    async stop() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}

describe.skipIf(mq.skip)('MQTT positive control: another declared account watches when the first may not read telemetry', () => {
  let broker: MosquittoBroker;
  let gateway: { stop(): Promise<void> };
  beforeAll(async () => {
    mq.assert();
    broker = await startMosquitto({
      mode: 'secure',
      users: { admin: PW.admin, operator: PW.operator, device: PW.device },
      // Rules before the first `user` line are the anonymous client's.
      aclText: [
        `topic read ${TOPICS.telemetry}`,
        `topic write ${TOPICS.command}`,
        '',
        'user admin',
        'topic readwrite #',
        '',
        'user operator',
        `topic read ${TOPICS.telemetry}`,
        '',
        'user device',
        `topic write ${TOPICS.telemetry}`,
      ].join('\n'),
      extraConfig: ['allow_anonymous true'],
    });
    gateway = await standInGateway(broker.url);
  });
  afterAll(async () => {
    await gateway?.stop();
    await broker?.close();
  });

  test('the first-choice account reads nothing; the operator account does, and shows the anonymous command took effect → FAIL with the effect', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioOnProfile(unauthenticatedAccess, target(broker.url, broker.port, ['device', 'operator', 'admin']), env);
    expect(result.verdict, result.reason).toBe('FAIL');
    const m = (name: string) => result.measurements.find((x) => x.name === name)?.value;
    expect(m('telemetryReceivedWithAccount')).toBe(false); // the control account: 'device'
    expect(m('telemetryReader')).toBe('operator');
    expect(m('anonymousCommandTookEffect')).toBe(true);
    expect(result.reason).toMatch(/^\[mqtt\] anonymous MQTT client accepted and received telemetry; the anonymous client commanded the process: PUBLISH gw\/rd-01\/cmd \{"point":"heaterSetpoint","value":[\d.]+\} moved heaterSetpoint 40 → [\d.]+ \(telemetry\); restored to 40$/);
  });

  test('without another reader declared the command stays undecided (the accepted CONNECT alone is the FAIL)', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioOnProfile(unauthenticatedAccess, target(broker.url, broker.port, ['device']), env);
    expect(result.verdict, result.reason).toBe('FAIL');
    const m = (name: string) => result.measurements.find((x) => x.name === name)?.value;
    expect(m('telemetryReader')).toBe(null);
    expect(m('anonymousCommandTookEffect')).toBe('undecided');
    expect(result.reason).toBe('[mqtt] anonymous MQTT client accepted and received telemetry');
  });
});
