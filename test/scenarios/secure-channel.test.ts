import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import secureChannel from '../../scenarios/secure-channel.scenario.js';
import { startMosquitto, type MosquittoBroker } from '../support/mosquitto-fixture.js';
import { needParts } from '../support/real-parts.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { mosquittoTarget } from './mosquitto-target.js';
import { runScenarioOnProfile } from './run-profile.js';

const sim = await needParts('socat');
const mq = await needParts('mosquitto');
const targets = join(import.meta.dirname, '../../targets');

describe.skipIf(sim.skip)('secure-channel against the simulator', () => {
  beforeAll(() => sim.assert());

  test('hardened (with OPC UA): TLS only, no None endpoint, forced None session refused → PASS', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(secureChannel, { profile: 'hardened', opcua: true });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(result.perInterface).toMatchObject({ mqtt: 'PASS', opcua: 'PASS' });
    expect(result.reason).toMatch(/session over None refused \(BadSecurity\w+Rejected\)/);
    expect(result.measurements.find((m) => m.name === 'opcuaNoneSession')?.value).toBe('refused');
  });

  test('weak (with OPC UA) → FAIL for MQTT without TLS and OPC UA None', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(secureChannel, { profile: 'weak', opcua: true });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.reason).toMatch(/\[mqtt\] MQTT offered without TLS: 127\.0\.0\.1:\d+ answers a plaintext CONNECT/);
    expect(result.reason).toMatch(/\[opcua\] OPC UA offers endpoints without security \(None\/None\); an anonymous session over None\/None was activated/);
  });

  test('opcuaSecurityNone alone → FAIL on OPC UA only', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(secureChannel, { profile: 'hardened', opcua: true, config: { switches: { opcuaSecurityNone: true } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ mqtt: 'PASS', opcua: 'FAIL' });
    expect(result.reason).toMatch(/OPC UA offers endpoints without security \(None\/None\)/);
  });

  test('mqttTls off alone → FAIL: MQTT offered without TLS', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioAgainstSim(secureChannel, { profile: 'hardened', config: { switches: { mqttTls: false } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.reason).toMatch(/^\[mqtt\] MQTT offered without TLS: .* \(CONNACK 5\) although TLS is declared$/);
  });

  test('switches it does not depend on (mqttAnonymous, mqttAcl, privilegeSeparation) leave it PASS', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioAgainstSim(secureChannel, { profile: 'hardened', config: { switches: { mqttAnonymous: true, mqttAcl: false, privilegeSeparation: false } } });
    expect(result.verdict, result.reason).toBe('PASS');
  });

  test('hostile (with OPC UA) → ERROR or INCONCLUSIVE within the budget', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    const { result } = await runScenarioAgainstSim(secureChannel, { profile: 'hostile', opcua: true });
    expect(['ERROR', 'INCONCLUSIVE'], result.reason).toContain(result.verdict);
    expect(result.perInterface?.mqtt).toMatch(/ERROR|INCONCLUSIVE/);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});

describe.skipIf(sim.skip || mq.skip)('secure-channel: the declared plaintextUrl', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    sim.assert();
    mq.assert();
    broker = await startMosquitto({ mode: 'insecure' });
  });
  afterAll(async () => broker?.close());

  test('a plaintext broker at plaintextUrl next to the TLS port → FAIL naming host:port', { timeout: 60_000 }, async () => {
    const s = await startSimInBlock({ profile: 'hardened', opcua: false });
    try {
      const env = { ...process.env, ...s.targetEnv };
      const { profile } = loadTargetFile(join(targets, 'sim-hardened.yaml'), env);
      profile.interfaces.mqtt!.plaintextUrl = broker.url;
      const { result } = await runScenarioOnProfile(secureChannel, profile, env);
      expect(result.verdict, result.reason).toBe('FAIL');
      expect(result.reason).toBe(`[mqtt] MQTT accepts plaintext connections on 127.0.0.1:${broker.port} (CONNACK 0)`);
    } finally {
      await s.sim.stop();
    }
  });

  test('a bare Mosquitto declared TLS → FAIL; declared without TLS → NOT_APPLICABLE (noted)', { timeout: 30_000 }, async () => {
    const tls = await runScenarioOnProfile(secureChannel, mosquittoTarget(broker.url, broker.port, { mqttTls: true }));
    expect(tls.result.verdict, tls.result.reason).toBe('FAIL');
    expect(tls.result.reason).toMatch(/MQTT offered without TLS/);
    const plain = await runScenarioOnProfile(secureChannel, mosquittoTarget(broker.url, broker.port, { mqttTls: false }));
    expect(plain.result.verdict, plain.result.reason).toBe('NOT_APPLICABLE');
  });
});
