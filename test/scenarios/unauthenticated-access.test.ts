import { beforeAll, describe, expect, test } from 'vitest';
import unauthenticatedAccess from '../../scenarios/unauthenticated-access.scenario.js';
import { needParts } from '../support/real-parts.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { runWithDeclared } from '../support/custom-target-run.js';
import { SIM_PORT_OFFSETS } from '../../harness/demo/sim-in-block.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import { MQ_TOPICS, MQ_USERS, mosquittoTarget, useMosquittoPair } from './mosquitto-target.js';
import { runScenarioOnProfile, startTelemetryPublisher } from './run-profile.js';

const sim = await needParts('socat');
const mq = await needParts('mosquitto');

const decided = (v: string) => expect(['ERROR', 'INCONCLUSIVE']).toContain(v);

describe.skipIf(sim.skip)('unauthenticated-access against the simulator', () => {
  beforeAll(() => sim.assert());

  test('hardened (with OPC UA): every interface refuses unauthenticated use → PASS', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'hardened', opcua: true });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'PASS', opcua: 'PASS' });
    expect(result.reason).toMatch(/\[opcua\] anonymous OPC UA ActivateSession refused \(Bad\w+\); anonymous not advertised/);
    expect(result.measurements.find((m) => m.name === 'opcuaAnonymousAdvertised')?.value).toBe(false);
  });

  test('weak (with OPC UA) → FAIL naming anonymous MQTT and anonymous OPC UA', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'weak', opcua: true });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.reason).toMatch(/\[mqtt\] anonymous MQTT client accepted and received telemetry/);
    expect(result.reason).toMatch(/\[opcua\] anonymous OPC UA session activated and read heaterSetpoint/);
    expect(result.measurements.find((m) => m.name === 'opcuaAnonymousAdvertised')?.value).toBe(true);
  });

  test('opcuaAnonymous alone → FAIL on OPC UA only', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'hardened', opcua: true, config: { switches: { opcuaAnonymous: true } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'PASS', opcua: 'FAIL' });
    expect(result.reason).toMatch(/anonymous OPC UA session activated/);
  });

  test('mqttAnonymous alone → FAIL on MQTT only', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'hardened', config: { switches: { mqttAnonymous: true } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'FAIL' });
    expect(result.reason).toMatch(/^\[mqtt\] anonymous MQTT client accepted and received telemetry$/);
  });

  test('debugShell alone → FAIL on the network interface naming the port and what the shell ran', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'hardened', config: { switches: { debugShell: true } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'PASS', network: 'FAIL' });
    expect(result.reason).toMatch(/\[network\] unauthenticated command service on TCP port \d+ \(port outside the allowlist; prompt "[^"]*root@gw:~#"\): `help` ran without login and answered "id \| uname -a/);
  });

  test('a shell on an allowed port is tried when declared a maintenance port (FAIL), not otherwise; a login console there passes', { timeout: 180_000 }, async () => {
    /** The debug shell's port, allowed in the declared allowlist (so only the maintenance declaration brings it in). */
    const allowDebug = (maintenance: boolean) => (t: TargetProfile) => {
      const net = t.interfaces.network!;
      const debugPort = Number(net.tcpRange.split('-')[0]) + SIM_PORT_OFFSETS.debug;
      t.policy.ports.tcp.push(debugPort);
      if (maintenance) net.maintenancePorts = [debugPort, t.policy.ports.tcp[0]!]; // and the console's TCP port
    };
    const declared = await runWithDeclared(unauthenticatedAccess, { profile: 'hardened', config: { switches: { debugShell: true } }, declare: allowDebug(true) });
    expect(declared.result.verdict, declared.result.reason).toBe('FAIL');
    expect(declared.result.perInterface).toMatchObject({ network: 'FAIL', console: 'PASS', mqtt: 'PASS' });
    expect(declared.result.reason).toMatch(/\[network\] unauthenticated command service on TCP port \d+ \(declared maintenance port; prompt "[^"]*"\): `help` ran without login/);
    expect((declared.result.measurements.find((m) => m.name === 'commandServiceCandidatePorts')?.value as number[]).length).toBe(2);
    expect(declared.result.reason.match(/unauthenticated command service/g)).toHaveLength(1); // the console's TCP port asked for a login

    const undeclared = await runWithDeclared(unauthenticatedAccess, { profile: 'hardened', config: { switches: { debugShell: true } }, declare: allowDebug(false) });
    expect(undeclared.result.verdict, undeclared.result.reason).toBe('PASS');
    expect(undeclared.result.perInterface).toMatchObject({ network: 'PASS' });
  });

  test('mqttAnonymousCanCommand alone → FAIL: the anonymous client commanded the process (and the value is restored)', { timeout: 120_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'hardened', config: { switches: { mqttAnonymousCanCommand: true } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'FAIL', network: 'PASS' });
    expect(result.reason).toMatch(/\[mqtt\] anonymous MQTT client accepted and received telemetry; the anonymous client commanded the process: PUBLISH \S+ \{"point":"heaterSetpoint","value":[\d.]+\} moved heaterSetpoint [\d.]+ → [\d.]+ \(telemetry\); restored to/);
    expect(result.measurements.find((m) => m.name === 'anonymousCommandTookEffect')?.value).toBe(true);
  });

  test('consoleLoginRequired off alone → FAIL on the console only', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'hardened', config: { switches: { consoleLoginRequired: false } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'FAIL', mqtt: 'PASS' });
    expect(result.reason).toMatch(/\[console\] console gives a shell without login/);
  });

  test('switches it does not depend on (mqttAcl, privilegeSeparation, mqttTls off) leave it PASS', { timeout: 60_000 }, async () => {
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, {
      profile: 'hardened',
      config: { switches: { mqttAcl: false, privilegeSeparation: false, mqttTls: false } },
    });
    expect(result.verdict, result.reason).toBe('PASS');
  });

  test('hostile → ERROR or INCONCLUSIVE within the budget', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    const { result } = await runScenarioAgainstSim(unauthenticatedAccess, { profile: 'hostile' });
    decided(result.verdict);
    expect(result.perInterface?.console).toMatch(/ERROR|INCONCLUSIVE/);
    expect(result.perInterface?.mqtt).toMatch(/ERROR|INCONCLUSIVE/);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});

describe.skipIf(mq.skip)('unauthenticated-access against a real Mosquitto', () => {
  const brokers = useMosquittoPair(() => mq.assert());

  test('insecure broker (anonymous allowed) → FAIL: anonymous client receives telemetry', { timeout: 30_000 }, async () => {
    const pub = await startTelemetryPublisher(brokers.insecure.url, MQ_TOPICS.telemetry);
    try {
      const { result } = await runScenarioOnProfile(unauthenticatedAccess, mosquittoTarget(brokers.insecure.url, brokers.insecure.port));
      expect(result.verdict, result.reason).toBe('FAIL');
      expect(result.reason).toBe('[mqtt] anonymous MQTT client accepted and received telemetry');
    } finally {
      await pub.stop();
    }
  });

  test('secure broker (password file, ACL) → PASS: CONNACK 5 to the anonymous client', { timeout: 30_000 }, async () => {
    const pub = await startTelemetryPublisher(brokers.secure.url, MQ_TOPICS.telemetry, { username: 'admin', password: MQ_USERS.admin });
    try {
      const { result } = await runScenarioOnProfile(unauthenticatedAccess, mosquittoTarget(brokers.secure.url, brokers.secure.port));
      expect(result.verdict, result.reason).toBe('PASS');
      expect(result.reason).toMatch(/anonymous MQTT CONNECT refused \(CONNACK 5/);
      expect(result.measurements.find((m) => m.name === 'telemetryReceivedWithAccount')?.value).toBe(true);
    } finally {
      await pub.stop();
    }
  });
});
