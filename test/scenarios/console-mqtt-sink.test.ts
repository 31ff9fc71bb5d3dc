// The console and MQTT probes write into the scenario's sink (ctx.judge) as they go: what they
// proved before a throw (here: the scenario's time budget running out mid-probe) is recorded, a
// proven FAIL first and the ERROR after it. Real parts: a Mosquitto broker, the simulator's console.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import idleSessionTimeout from '../../scenarios/idle-session-timeout.scenario.js';
import unauthenticatedAccess from '../../scenarios/unauthenticated-access.scenario.js';
import { defineTarget } from '../../harness/profile/load-target.js';
import { needParts } from '../support/real-parts.js';
import { startMosquitto, type MosquittoBroker } from '../support/mosquitto-fixture.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { runScenarioOnProfile } from './run-profile.js';

const mq = await needParts('mosquitto');
const sim = await needParts('socat');
const TOPICS = { telemetry: 'gw/sk-01/telemetry', command: 'gw/sk-01/cmd' } as const;
const env = { ...process.env, HIL_SK_USER: `Sk-user-${process.pid}#U` };

describe.skipIf(mq.skip)('MQTT: an accepted anonymous CONNECT stays a FAIL when the command probe after it is cut short', () => {
  let broker: MosquittoBroker;
  let publisher: mqtt.MqttClient;
  let timer: NodeJS.Timeout;
  beforeAll(async () => {
    mq.assert();
    broker = await startMosquitto({ mode: 'insecure' });
    // A gateway that publishes its setpoint and ignores commands: the anonymous command has no effect,
    // so the probe watches its whole (long) window and the budget ends it there.
    publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 });
    timer = setInterval(() => void publisher.publish(TOPICS.telemetry, JSON.stringify({ heaterSetpoint: 40 })), 200);
  });
  afterAll(async () => {
    clearInterval(timer);
    await publisher?.endAsync(true);
    await broker?.close();
  });

  test('budget exhausted during the anonymous command probe → FAIL (the CONNECT) listed first, then the ERROR', { timeout: 60_000 }, async () => {
    const profile = defineTarget({
      name: 'mosquitto-sink',
      identity: { vendor: 'Eclipse', model: 'mosquitto', firmware: 'debian' },
      // Two declared periods of 4 s: the command's effect is looked for during 16 s.
      interfaces: { mqtt: { url: broker.url, topics: { ...TOPICS }, timeoutMs: 1500, telemetryPeriodMs: 4000 } },
      accounts: [{ username: 'viewer', password: { env: 'HIL_SK_USER' }, role: 'user', interfaces: ['mqtt'] }],
      policy: {
        ports: { tcp: [broker.port] },
        secureChannel: { mqttTls: false, opcuaSecurityNone: false },
        points: { heaterSetpoint: { type: 'number', min: 0, max: 80, mqtt: { name: 'heaterSetpoint' } } },
      },
    });
    const t0 = Date.now();
    const { result } = await runScenarioOnProfile({ ...unauthenticatedAccess, budgetMs: () => 5000 }, profile, env);
    expect(Date.now() - t0).toBeLessThan(15_000); // ended by the budget, not by the 16 s window
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.reason).toMatch(/^\[mqtt\] anonymous MQTT client accepted and received telemetry; ERROR: time budget of 5000 ms exhausted/);
    expect(result.checks).toContainEqual(expect.objectContaining({ name: 'anonymous MQTT CONNECT refused', verdict: 'FAIL', iface: 'mqtt' }));
    // A window cut short decides nothing about the command.
    expect(result.measurements.find((m) => m.name === 'anonymousCommandTookEffect')).toBeUndefined();
  });
});

describe.skipIf(sim.skip)('console: what the idle-session probe proved before the budget ran out is kept', () => {
  beforeAll(() => sim.assert());

  test('budget exhausted during the idle wait → ERROR, with the positive control recorded as passed', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioAgainstSim({ ...idleSessionTimeout, budgetMs: () => 2000 }, { profile: 'hardened' });
    expect(result.verdict, result.reason).toBe('ERROR');
    expect(result.reason).toMatch(/time budget of 2000 ms exhausted/);
    expect(result.checks).toContainEqual(expect.objectContaining({ name: expect.stringMatching(/^control: \S+ logs in on console and "show status" works$/), verdict: 'PASS', iface: 'console' }));
  });
});
