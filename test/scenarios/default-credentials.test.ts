import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import defaultCredentials from '../../scenarios/default-credentials.scenario.js';
import { needParts } from '../support/real-parts.js';
import { runWithDeclared, type CustomRun } from '../support/custom-target-run.js';
import { SIM_SECRETS } from '../support/scenario-harness.js';
import { SIM_ACCOUNT_NAMES } from '../../simulators/gateway/index.js';
import { MQ_TOPICS, MQ_USERS, mosquittoTarget, useMosquittoPair } from './mosquitto-target.js';
import { runScenarioOnProfile, startTelemetryPublisher } from './run-profile.js';

const sim = await needParts('socat');
const mq = await needParts('mosquitto');

/** No account password and no password the scenario derived may appear in the evidence. */
function expectNoSecrets(run: CustomRun | { evidenceFile: string }): void {
  const text = readFileSync(run.evidenceFile, 'utf8');
  for (const s of SIM_SECRETS) expect(text.includes(s!)).toBe(false);
  expect(text).not.toMatch(/Hq7-[A-Za-z0-9]{3,}/);
}

describe.skipIf(sim.skip)('default-credentials against the simulator', () => {
  beforeAll(() => sim.assert());

  test('hardened (with OPC UA) → PASS on every interface; the console operator password is restored; no secret in the evidence', { timeout: 180_000 }, async () => {
    let restored = false;
    const run = await runWithDeclared(defaultCredentials, {
      profile: 'hardened',
      opcua: true,
      after: (s) => {
        restored = s.sim.accounts.authenticate(SIM_ACCOUNT_NAMES.console.operator, process.env.HIL_SIM_OPERATOR_PASSWORD!, 'console').ok;
      },
    });
    const { result } = run;
    expect(result.verdict, result.reason).toBe('PASS');
    expect(result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'PASS', opcua: 'PASS' });
    // The changed account is the console's (serial line and TCP port share its database); MQTT and OPC UA have their own accounts.
    expect(result.reason).toMatch(/password policy holds .*old password is refused on console, console-tcp/);
    expect(restored).toBe(true);
    expectNoSecrets(run);
  });

  test('weak → FAIL: admin/admin accepted on console and MQTT, weak password accepted; restored', { timeout: 120_000 }, async () => {
    let restored = false;
    const run = await runWithDeclared(defaultCredentials, {
      profile: 'weak',
      targetName: 'sim-weak',
      after: (s) => {
        restored = s.sim.accounts.authenticate(SIM_ACCOUNT_NAMES.console.operator, process.env.HIL_SIM_OPERATOR_PASSWORD!, 'console').ok;
      },
    });
    const { result } = run;
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console\] admin\/admin \(vendor manual\) accepted on console/);
    expect(result.reason).toMatch(/\[mqtt\] admin\/admin \(vendor manual\) accepted on mqtt/);
    expect(result.reason).toMatch(/weak password accepted on console: 11 characters/);
    expect(result.reason).toMatch(/weak password accepted on console: one character class/);
    expect(result.reason).toMatch(/password reuse accepted/);
    expect(restored).toBe(true);
    expectNoSecrets(run);
  });

  test('defaultCredential accepted alone → FAIL naming admin/admin on console and MQTT', { timeout: 90_000 }, async () => {
    const { result } = await runWithDeclared(defaultCredentials, { profile: 'hardened', config: { switches: { defaultCredential: 'accepted' } } });
    expect(result.verdict).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'FAIL', mqtt: 'FAIL' });
    expect(result.reason).toMatch(/admin\/admin \(vendor manual\) accepted on console/);
    expect(result.reason).not.toMatch(/weak password/);
  });

  test('defaultCredential must-change alone, profile declares absent → FAIL (the default still logs in)', { timeout: 90_000 }, async () => {
    const { result } = await runWithDeclared(defaultCredentials, { profile: 'hardened', config: { switches: { defaultCredential: 'must-change' } } });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console\] admin\/admin \(vendor manual\) logs in on console with restricted access .* declares defaultCredential 'absent'/);
    expect(result.perInterface?.mqtt).toBe('PASS'); // the simulator refuses an unchanged default on MQTT (CONNACK 5)
  });

  test('must-change on a device that declares must-change → PASS (only a password change is possible)', { timeout: 90_000 }, async () => {
    const { result } = await runWithDeclared(defaultCredentials, {
      profile: 'hardened',
      config: { switches: { defaultCredential: 'must-change' } },
      declare: (t) => {
        t.policy.defaultCredential = 'must-change';
      },
    });
    expect(result.verdict, result.reason).toBe('PASS');
  });

  test('passwordPolicy off alone → FAIL "weak password accepted", defaults still refused', { timeout: 90_000 }, async () => {
    const { result } = await runWithDeclared(defaultCredentials, { profile: 'hardened', config: { switches: { passwordPolicy: false } } });
    expect(result.verdict).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'FAIL', mqtt: 'PASS' });
    expect(result.reason).toMatch(/^\[console\] weak password accepted on console/);
    expect(result.reason).not.toMatch(/admin\/admin/);
  });

  test('switches it does not depend on (lockout, alerts, idleTimeout, mqttAcl) leave it PASS', { timeout: 90_000 }, async () => {
    const { result } = await runWithDeclared(defaultCredentials, {
      profile: 'hardened',
      config: { switches: { lockout: false, alerts: false, idleTimeout: false, mqttAcl: false, privilegeSeparation: false } },
    });
    expect(result.verdict, result.reason).toBe('PASS');
  });

  test('allowStateChanges false → the password part is skipped, the default probes still PASS', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(defaultCredentials, {
      profile: 'hardened',
      declare: (t) => {
        t.allowStateChanges = false;
      },
    });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(result.measurements.find((m) => m.name === 'passwordPolicyChecked')?.value).toBe(false);
  });

  test('hostile → ERROR or INCONCLUSIVE within the budget', { timeout: 120_000 }, async () => {
    const { result, target } = await runWithDeclared(defaultCredentials, { profile: 'hostile' });
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(result.durationMs).toBeLessThan(defaultCredentials.budgetMs(target));
    expect(result.durationMs).toBeLessThan(60_000);
  });
});

describe.skipIf(mq.skip)('default-credentials against a real Mosquitto (MQTT only)', () => {
  const brokers = useMosquittoPair(() => mq.assert());

  const withDefaults = (url: string, port: number) => {
    const t = mosquittoTarget(url, port);
    t.credentials.defaults = [
      { username: 'admin', password: 'admin', source: 'vendor manual' },
      { username: 'admin', password: 'password', source: 'well-known' },
    ];
    return t;
  };

  test('insecure (anonymous allowed, no password file) → FAIL: mosquitto accepts ANY password, admin/admin included', { timeout: 60_000 }, async () => {
    const pub = await startTelemetryPublisher(brokers.insecure.url, MQ_TOPICS.telemetry);
    try {
      const { result } = await runScenarioOnProfile(defaultCredentials, withDefaults(brokers.insecure.url, brokers.insecure.port));
      expect(result.verdict).toBe('FAIL');
      expect(result.reason).toMatch(/^\[mqtt\] admin\/admin \(vendor manual\) accepted on mqtt; \[mqtt\] admin\/password \(well-known\) accepted on mqtt$/);
    } finally {
      await pub.stop();
    }
  });

  test('secure (password file, ACL) → PASS: the defaults get CONNACK 5', { timeout: 60_000 }, async () => {
    const pub = await startTelemetryPublisher(brokers.secure.url, MQ_TOPICS.telemetry, { username: 'admin', password: MQ_USERS.admin });
    try {
      const run = await runScenarioOnProfile(defaultCredentials, withDefaults(brokers.secure.url, brokers.secure.port));
      expect(run.result.verdict, run.result.reason).toBe('PASS');
      expect(run.result.assertions.filter((a) => /default/.test(a.name)).every((a) => /CONNACK 5/.test(String(a.actual)))).toBe(true);
      expect(readFileSync(run.evidenceFile, 'utf8').includes(MQ_USERS.admin)).toBe(false);
    } finally {
      await pub.stop();
    }
  });
});
