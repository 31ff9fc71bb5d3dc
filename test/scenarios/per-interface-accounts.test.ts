// Issue 12: accounts per interface. The simulator has two account databases with different names
// (console: sysop/fieldtech; MQTT and OPC UA: scada/hmi) and targets/sim-*.yaml declare them per
// interface. Each scenario must pick, per interface, the account it needs: with one account slot
// for every interface the MQTT controls failed (CONNACK 5) and everything went INCONCLUSIVE.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { accountsFor, findAccount } from '../../harness/profile/account-query.js';
import { topicMatches } from '../../harness/profile/topic-filter.js';
import { loadTargetFile, parseTarget } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import defaultCredentials from '../../scenarios/default-credentials.scenario.js';
import lockout from '../../scenarios/lockout.scenario.js';
import privilegeSeparation from '../../scenarios/privilege-separation.scenario.js';
import rangeCheck from '../../scenarios/range-check.scenario.js';
import { SIM_ACCOUNT_NAMES, type SimConfigOverrides } from '../../simulators/gateway/index.js';
import { runWithDeclared } from '../support/custom-target-run.js';
import { needParts } from '../support/real-parts.js';

const targets = join(import.meta.dirname, '../../targets');
const sim = await needParts('socat');

const SHORT_MS = 1_500;
/** Lock walks wait out real locks: the simulator locks for 1.5 s and the profile declares the same. */
const shortLock = (t: TargetProfile) => {
  t.policy.lockout = { ...t.policy.lockout!, durationMs: SHORT_MS, toleranceMs: 1_000 };
};

describe('the account model of a profile', () => {
  const env = { ...process.env, HIL_SIM_ADMIN_PASSWORD: 'Adm-Pass-12!', HIL_SIM_OPERATOR_PASSWORD: 'Op-Pass-12!x' };

  test('the simulator profiles declare different accounts on the console and on MQTT; scenarios find each side\'s own', () => {
    for (const name of ['sim-hardened', 'sim-weak']) {
      const t = loadTargetFile(join(targets, `${name}.yaml`), env).profile;
      const s = resolveSecrets(t, env);
      const names = (iface: string, protocol: string) => s.forInterface(iface, protocol).map((a) => a.username).sort();
      expect(names('console', 'console')).toEqual([SIM_ACCOUNT_NAMES.console.admin, SIM_ACCOUNT_NAMES.console.operator].sort());
      // The second console endpoint (TCP) shares the console's accounts; MQTT has others.
      expect(names('console-tcp', 'console')).toEqual(names('console', 'console'));
      expect(names('mqtt', 'mqtt')).toEqual([SIM_ACCOUNT_NAMES.network.admin, SIM_ACCOUNT_NAMES.network.operator].sort());
      expect(findAccount(s, 'mqtt', 'mqtt', { role: 'admin' }).account?.username).toBe(SIM_ACCOUNT_NAMES.network.admin);
      expect(findAccount(s, 'console', 'console', { role: 'admin' }).account?.username).toBe(SIM_ACCOUNT_NAMES.console.admin);
      // Least privileged first for a plain login; both MQTT roles may read the alert topic, the admin reads everything.
      expect(accountsFor(s, 'console', 'console', { any: true })[0]?.username).toBe(SIM_ACCOUNT_NAMES.console.operator);
      expect(accountsFor(s, 'mqtt', 'mqtt', { reads: 'gw/gw-sim-01/alert' }).map((a) => a.username).sort()).toEqual(names('mqtt', 'mqtt'));
      expect(accountsFor(s, 'mqtt', 'mqtt', { reads: 'gw/gw-sim-01/cmd' }).map((a) => a.username)).toEqual([SIM_ACCOUNT_NAMES.network.admin]);
      expect(findAccount(s, 'modbus-tcp', 'modbus', { role: 'admin' }).missing).toMatch(/declares no admin account on modbus-tcp/);
    }
  });

  test('the legacy credentials.admin/user form still works: one account pair on every login interface', () => {
    const t = parseTarget({
      name: 'legacy',
      identity: { vendor: 'v', model: 'm', firmware: 'f', serial: 's' },
      interfaces: { mqtt: { url: 'mqtt://127.0.0.1:1883', topics: { telemetry: 't', command: 'c' } } },
      credentials: {
        admin: { username: 'root', password: { env: 'LEGACY_A' }, role: 'admin' },
        user: { username: 'guest', password: { env: 'LEGACY_U' }, role: 'user' },
      },
      policy: { ports: { tcp: [1883] } },
    });
    const s = resolveSecrets(t, { LEGACY_A: 'a-secret-1', LEGACY_U: 'u-secret-1' });
    expect(s.admin?.username).toBe('root');
    expect(s.user?.username).toBe('guest');
    expect(findAccount(s, 'mqtt', 'mqtt', { role: 'admin' }).account?.username).toBe('root');
    expect(findAccount(s, 'console-tcp', 'console', { role: 'non-admin' }).account?.username).toBe('guest');
  });

  test('MQTT topic filters', () => {
    expect(topicMatches('gw/+/alert', 'gw/a/alert')).toBe(true);
    expect(topicMatches('gw/#', 'gw/a/b/c')).toBe(true);
    expect(topicMatches('gw/+', 'gw/a/b')).toBe(false);
    expect(topicMatches('gw/a/alert', 'gw/a/alerts')).toBe(false);
  });

  test('numbers may come from the environment', () => {
    const t = loadTargetFile(join(targets, 'sim-hardened.yaml'), { ...env, HIL_SIM_PORT_CONSOLE: '20023' }).profile;
    expect(t.policy.ports.tcp).toContain(20023);
    const p = parseTarget(
      { name: 'n', identity: { vendor: 'v', model: 'm', firmware: 'f', serial: 's' }, interfaces: {}, credentials: {}, policy: { ports: { tcp: [] }, idleTimeoutMs: '${IDLE:-2500}' } },
      '<inline>',
      {},
    );
    expect(p.policy.idleTimeoutMs).toBe(2500);
  });
});

/** No interface and no check of the run was left undecided. */
function expectDecided(r: ScenarioResult): void {
  expect(r.verdict, r.reason).toBe('PASS');
  for (const [iface, v] of Object.entries(r.perInterface ?? {})) expect(['PASS', 'NOT_APPLICABLE'], `${iface}: ${r.reason}`).toContain(v);
  expect(r.reason).not.toMatch(/INCONCLUSIVE|CONNACK 5|positive control failed/);
}

const CASES: { def: ScenarioDefinition; config?: SimConfigOverrides; declare?: (t: TargetProfile) => void; expectPass: (r: ScenarioResult) => void; expectFail: (r: ScenarioResult) => void }[] = [
  {
    def: defaultCredentials,
    expectPass: (r) => expect(r.perInterface).toMatchObject({ console: 'PASS', 'console-tcp': 'PASS', mqtt: 'PASS' }),
    expectFail: (r) => {
      expect(r.reason).toMatch(/\[console\] admin\/admin \(vendor manual\) accepted on console/);
      expect(r.reason).toMatch(/\[mqtt\] admin\/admin \(vendor manual\) accepted on mqtt/);
    },
  },
  {
    def: privilegeSeparation,
    expectPass: (r) => {
      expect(r.perInterface).toMatchObject({ console: 'PASS', 'console-tcp': 'PASS', mqtt: 'PASS' });
      // Each interface's own non-admin was probed after its own admin's control.
      expect(r.reason).toContain(`'${SIM_ACCOUNT_NAMES.console.operator}' could not change heaterSetpoint via console`);
      expect(r.reason).toContain(`'${SIM_ACCOUNT_NAMES.network.operator}' could not change heaterSetpoint via mqtt`);
    },
    expectFail: (r) => {
      expect(r.reason).toContain(`non-admin '${SIM_ACCOUNT_NAMES.console.operator}' changed heaterSetpoint via console`);
      expect(r.reason).toContain(`non-admin '${SIM_ACCOUNT_NAMES.network.operator}' changed heaterSetpoint via mqtt`);
    },
  },
  {
    def: lockout,
    config: { params: { lockoutDurationMs: SHORT_MS } },
    declare: shortLock,
    expectPass: (r) => {
      expect(r.perInterface).toMatchObject({ console: 'PASS', 'console-tcp': 'PASS', mqtt: 'PASS' });
      // The alert was watched (by an account allowed to read the topic) and seen for every lock.
      for (const i of ['console', 'console-tcp', 'mqtt']) expect(r.measurements.find((m) => m.name === `lockAlertLatency[${i}]`)?.passed, i).toBe(true);
    },
    expectFail: (r) => expect(r.reason).toMatch(/\[mqtt\] good password still accepted on mqtt after 3 failed logins \(no lockout/),
  },
  {
    def: rangeCheck,
    expectPass: (r) => expect(r.perInterface).toMatchObject({ console: 'PASS', mqtt: 'PASS', 'modbus-tcp': 'PASS' }),
    expectFail: (r) => expect(r.perInterface).toMatchObject({ console: 'FAIL', mqtt: 'FAIL', 'modbus-tcp': 'FAIL' }),
  },
];

describe.skipIf(sim.skip)('different accounts on console and MQTT: each scenario picks its interface\'s own', () => {
  for (const c of CASES) {
    test(`${c.def.id}: hardened → PASS with nothing INCONCLUSIVE`, { timeout: 300_000 }, async () => {
      sim.assert();
      const { result } = await runWithDeclared(c.def, { profile: 'hardened', ...(c.config ? { config: c.config } : {}), ...(c.declare ? { declare: c.declare } : {}) });
      expectDecided(result);
      c.expectPass(result);
    });

    test(`${c.def.id}: weak → FAIL`, { timeout: 300_000 }, async () => {
      sim.assert();
      const { result } = await runWithDeclared(c.def, { profile: 'weak', targetName: 'sim-weak', ...(c.declare ? { declare: c.declare } : {}) });
      expect(result.verdict, result.reason).toBe('FAIL');
      c.expectFail(result);
    });
  }

  test('an interface without a declared account is NOT_APPLICABLE, naming what is missing', { timeout: 120_000 }, async () => {
    sim.assert();
    const run = await runWithDeclared(defaultCredentials, {
      profile: 'hardened',
      declare: (t) => {
        t.accounts = t.accounts.filter((a) => !a.interfaces.includes('mqtt'));
        t.allowStateChanges = false;
      },
    });
    expect(run.result.verdict, run.result.reason).toBe('PASS');
    expect(run.result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'NOT_APPLICABLE' });
    expect(readFileSync(run.evidenceFile, 'utf8')).toContain('NOT_APPLICABLE [mqtt]: the profile declares no account on mqtt');
  });
});
