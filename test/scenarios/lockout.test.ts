import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import lockout from '../../scenarios/lockout.scenario.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import type { SimConfigOverrides } from '../../simulators/gateway/index.js';
import { startMosquitto, type MosquittoBroker } from '../support/mosquitto-fixture.js';
import { needParts } from '../support/real-parts.js';
import { runWithDeclared } from '../support/custom-target-run.js';
import { MQ_TOPICS, MQ_USERS, mosquittoTarget } from './mosquitto-target.js';
import { runScenarioOnProfile, startTelemetryPublisher } from './run-profile.js';

const sim = await needParts('socat');
const mq = await needParts('mosquitto');

/**
 * Walks take real time (each waits out the lock): the simulator locks for 1.5 s and the profile
 * declares the same, with 1 s tolerance (a loaded 2-core machine is well inside it).
 */
const SHORT_MS = 1_500;
const shortSim = (extra: SimConfigOverrides = {}): SimConfigOverrides => ({ ...extra, params: { lockoutDurationMs: SHORT_MS, ...extra.params } });
const declareShort = (t: TargetProfile) => {
  t.policy.lockout = { ...t.policy.lockout!, durationMs: SHORT_MS, toleranceMs: 1_000 };
};

describe.skipIf(sim.skip)('lockout against the simulator', () => {
  beforeAll(() => sim.assert());

  test('hardened (declared 4 s, with OPC UA) → PASS on console, MQTT and OPC UA; threshold and duration measured; alert seen', { timeout: 180_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', opcua: true });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(result.perInterface).toMatchObject({ console: 'PASS', mqtt: 'PASS', opcua: 'PASS' });
    for (const i of ['console', 'mqtt', 'opcua']) {
      expect(result.measurements.find((m) => m.name === `lockoutThreshold[${i}]`)).toMatchObject({ value: 3, passed: true });
      const d = result.measurements.find((m) => m.name === `lockoutDuration[${i}]`);
      expect(d?.passed, JSON.stringify(d)).toBe(true);
      expect(d?.value).toBeGreaterThanOrEqual(4000);
      expect(result.measurements.find((m) => m.name === `lockAlertLatency[${i}]`)?.passed).toBe(true);
      // The rest of the promise, on a second lock of each interface (OPC UA included).
      for (const c of ['lockoutSurvivesReconnect', 'lockoutScope', 'lockoutNotExtended']) expect(result.checks?.find((x) => x.name === `${c}[${i}]`)?.verdict, `${c}[${i}]`).toBe('PASS');
    }
  });

  test('weak → FAIL: good password still accepted after 3 failed logins (no lockout)', { timeout: 120_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'weak', targetName: 'sim-weak', declare: declareShort });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console\] good password still accepted on console after 3 failed logins \(no lockout/);
    expect(result.reason).toMatch(/\[mqtt\] good password still accepted on mqtt after 3 failed logins \(no lockout/);
  });

  test('lockout switch off alone → FAIL (no lockout) on every interface', { timeout: 120_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim({ switches: { lockout: false } }), declare: declareShort });
    expect(result.verdict).toBe('FAIL');
    expect(result.perInterface).toMatchObject({ console: 'FAIL', mqtt: 'FAIL' });
    expect(result.reason).toMatch(/no lockout/);
  });

  test('alerts switch off alone → FAIL "lock raised no alert", the lock itself is fine', { timeout: 120_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim({ switches: { alerts: false } }), declare: declareShort });
    expect(result.verdict).toBe('FAIL');
    // The profile's console has two endpoints (serial line, then its TCP port): each is walked. The
    // console lane and the MQTT lane run at the same time (independentCounters), so their FAILs
    // come in the order they were proven.
    const fails = result.reason.split('; ').slice(0, 3);
    expect(fails.sort(), result.reason).toEqual(['console', 'console-tcp', 'mqtt'].map((i) => `[${i}] lock on ${i} raised no alert on gw/gw-sim-01/alert within 5 s`).sort());
    expect(result.measurements.find((m) => m.name === 'lockoutThreshold[console]')?.passed).toBe(true);
  });

  test('device locks after 5 failures but declares 3 → FAIL with the measured threshold', { timeout: 120_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim({ params: { lockoutThreshold: 5 } }), declare: declareShort });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console\] lock engages on console only after 5 failed logins \(declared 3\)/);
    expect(result.measurements.find((m) => m.name === 'lockoutThreshold[console]')).toMatchObject({ value: 5, passed: false });
  });

  test('lock lasting 4 s where 1.5 s is declared → FAIL naming the measured duration', { timeout: 120_000 }, async () => {
    const { result } = await runWithDeclared(lockout, {
      profile: 'hardened',
      config: { params: { lockoutDurationMs: 4_000 } },
      declare: (t) => {
        declareShort(t);
        t.policy.lockout!.interfaces = ['mqtt'];
      },
    });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[mqtt\] account still locked on mqtt well after the declared 1500 ms/);
  });

  test('lock lasting 1.5 s where 4 s is declared → FAIL: the lock ended before the declared duration', { timeout: 120_000 }, async () => {
    const declare4s = (t: TargetProfile) => {
      t.policy.lockout = { ...t.policy.lockout!, durationMs: 4_000, toleranceMs: 1_000 };
    };
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim(), declare: declare4s });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console\] lock on console ended after \d+ ms.*, before the declared 4000 ms/);
    expect(result.measurements.find((m) => m.name === 'lockoutDuration[console]')?.passed).toBe(false);
  });

  test('profile declaring no lockout: probed with 10 failures → FAIL on the weak simulator', { timeout: 120_000 }, async () => {
    const { result } = await runWithDeclared(lockout, {
      profile: 'weak',
      targetName: 'sim-weak',
      declare: (t) => {
        delete t.policy.lockout;
      },
    });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console\] the profile declares no lockout and the good password is still accepted on console after 10 failed logins/);
  });

  // The rest of the promise: each flaw switch alone turns its own check to FAIL, naming the weakness
  // and the interface; the lock's other checks stay PASS.
  const checkOf = (r: { checks?: { name: string; verdict: string }[] }, name: string) => r.checks?.find((c) => c.name === name)?.verdict;
  const NEW_CHECKS = ['lockoutSurvivesReconnect', 'lockoutScope', 'lockoutNotExtended'];

  test('hardened (declared 1.5 s) → every new check PASS: reconnect, scope, no extension per interface; counter shared by console and console-tcp', { timeout: 180_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim(), declare: declareShort });
    expect(result.verdict, result.reason).toBe('PASS');
    for (const i of ['console', 'console-tcp', 'mqtt']) for (const c of NEW_CHECKS) expect(checkOf(result, `${c}[${i}]`), `${c}[${i}]`).toBe('PASS');
    expect(checkOf(result, 'lockoutSharedCounter[console+console-tcp]')).toBe('PASS');
  });

  test('lockoutCounterPerConnection alone → FAIL: the counter does not survive reconnecting on console-tcp or OPC UA; MQTT (a connection per attempt) never locks', { timeout: 180_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', opcua: true, config: shortSim({ switches: { lockoutCounterPerConnection: true } }), declare: declareShort });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console-tcp\] failure counter on console-tcp does not survive reconnecting: 3 failed logins with the line closed and reopened before each, then the good password was accepted/);
    // Every MQTT attempt is its own connection: a per-connection counter is no lockout there.
    expect(result.reason).toMatch(/\[mqtt\] good password still accepted on mqtt after 3 failed logins \(no lockout/);
    expect(checkOf(result, 'lockoutThreshold[console-tcp]')).toBe('PASS');
    expect(checkOf(result, 'lockoutDuration[console-tcp]')).toBe('PASS');
    expect(checkOf(result, 'lockAlertLatency[console-tcp]')).toBe('PASS');
    // OPC UA sessions share one secure channel, so the counter there locks; a new channel per attempt resets it.
    expect(result.reason).toMatch(/\[opcua\] failure counter on opcua does not survive reconnecting/);
    expect(checkOf(result, 'lockoutThreshold[opcua]')).toBe('PASS');
    expect(checkOf(result, 'lockoutSurvivesReconnect[opcua]')).toBe('FAIL');
  });

  test('lockExtendedByAttempts alone → FAIL "lock extended by attempts" on every interface; threshold, duration, reconnect, scope PASS', { timeout: 180_000 }, async () => {
    // An extension is only provable past T + tolerance: the wrong passwords during the lock must end
    // later than the tolerance after it began, which a console login (slow, sent well ahead of T)
    // reaches only with a lock longer than the tolerance: 3 s declared, 1 s tolerance.
    const declare3s = (t: TargetProfile) => {
      t.policy.lockout = { ...t.policy.lockout!, durationMs: 3_000, toleranceMs: 1_000 };
    };
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim({ switches: { lockExtendedByAttempts: true }, params: { lockoutDurationMs: 3_000 } }), declare: declare3s });
    expect(result.verdict).toBe('FAIL');
    for (const i of ['console', 'console-tcp', 'mqtt']) {
      expect(result.reason).toMatch(new RegExp(`\\[${i}\\] lock on ${i} extended by attempts: \\d+ wrong password\\(s\\) during the lock kept the good password refused`));
      for (const c of ['lockoutThreshold', 'lockoutDuration', 'lockoutSurvivesReconnect', 'lockoutScope']) expect(checkOf(result, `${c}[${i}]`), `${c}[${i}]`).toBe('PASS');
      expect(checkOf(result, `lockoutNotExtended[${i}]`)).toBe('FAIL');
    }
  });

  test('lockoutPerSource alone → FAIL: another account is refused during the lock (scope declared: account); the lock itself PASS', { timeout: 180_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim({ switches: { lockoutPerSource: true } }), declare: declareShort });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/\[console\] lock on console is not per account: sysop is refused while fieldtech is locked/);
    expect(result.reason).toMatch(/\[mqtt\] lock on mqtt is not per account: scada is refused while hmi is locked/);
    for (const i of ['console', 'console-tcp', 'mqtt']) {
      for (const c of ['lockoutThreshold', 'lockoutDuration', 'lockoutSurvivesReconnect', 'lockoutNotExtended']) expect(checkOf(result, `${c}[${i}]`), `${c}[${i}]`).toBe('PASS');
      expect(checkOf(result, `lockoutScope[${i}]`)).toBe('FAIL');
    }
  });

  test('consoleEndpointsSeparateCounters alone → FAIL naming console and console-tcp; every per-interface check PASS', { timeout: 180_000 }, async () => {
    const { result } = await runWithDeclared(lockout, { profile: 'hardened', config: shortSim({ switches: { consoleEndpointsSeparateCounters: true } }), declare: declareShort });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toBe(
      '[console-tcp] console endpoints console and console-tcp count failures separately although the profile declares they share accounts: 3 failed logins spread over them did not lock (console: accepted, console-tcp: accepted)',
    );
    for (const i of ['console', 'console-tcp', 'mqtt']) for (const c of ['lockoutThreshold', 'lockoutDuration', ...NEW_CHECKS]) expect(checkOf(result, `${c}[${i}]`), `${c}[${i}]`).toBe('PASS');
  });

  test('scope declared "source" on a per-account device → FAIL: another account still logs in during the lock', { timeout: 180_000 }, async () => {
    const { result } = await runWithDeclared(lockout, {
      profile: 'hardened',
      config: shortSim(),
      declare: (t) => {
        declareShort(t);
        t.policy.lockout!.scope = 'source';
        t.policy.lockout!.interfaces = ['mqtt'];
      },
    });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toBe('[mqtt] lock on mqtt is per account, not per source: scada still logs in from the same source during the lock (declared scope: source)');
  });

  test('walks declared independent run at the same time, with the verdicts of a run one after another, every record naming its interface', { timeout: 240_000 }, async () => {
    // lockoutPerSource: the scope check FAILs, everything else PASSes; the same in both runs.
    const config = shortSim({ switches: { lockoutPerSource: true } });
    const sequential = await runWithDeclared(lockout, { profile: 'hardened', config, declare: (t) => (declareShort(t), delete t.policy.lockout!.independentCounters) });
    const concurrent = await runWithDeclared(lockout, { profile: 'hardened', config, declare: declareShort });
    const verdicts = (r: typeof sequential.result) => (r.checks ?? []).map((c) => `${c.name} [${c.iface ?? ''}] ${c.verdict}`).sort();
    expect(concurrent.result.verdict).toBe('FAIL');
    expect(verdicts(concurrent.result)).toEqual(verdicts(sequential.result));
    expect(concurrent.result.perInterface).toEqual(sequential.result.perInterface);
    expect(checkOf(concurrent.result, 'lockoutScope[mqtt]')).toBe('FAIL');
    expect(checkOf(concurrent.result, 'lockAlertLatency[mqtt]')).toBe('PASS');

    const records = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; channel: string; text?: string; attrs?: Record<string, any> });
    const seqOf = (rs: ReturnType<typeof records>, text: string) => rs.find((r) => r.text?.startsWith(text))?.seq ?? -1;
    const [seqRun, conRun] = [records(sequential.evidenceFile), records(concurrent.evidenceFile)];
    // One after another: MQTT starts after console's walk and episode; concurrently: while they run.
    expect(seqOf(seqRun, 'interface mqtt: start')).toBeGreaterThan(seqOf(seqRun, 'check lockoutNotExtended[console]'));
    expect(seqOf(conRun, 'interface mqtt: start')).toBeLessThan(seqOf(conRun, 'check lockoutNotExtended[console]'));
    const names = (r: (typeof conRun)[number]) => r.attrs?.iface || r.attrs?.assertion?.iface || r.attrs?.measurement?.iface || /^(\[[\w+-]+\] |interface [\w-]+: )/.test(r.text ?? '');
    const scenarioLevel = /^(run |scenario lockout|lockout walks in 2 concurrent lanes|teardown: )/;
    expect(conRun.filter((r) => r.channel === 'harness' && !scenarioLevel.test(r.text ?? '') && !names(r)).map((r) => r.text)).toEqual([]);
  });

  test('hostile → ERROR or INCONCLUSIVE within the budget', { timeout: 120_000 }, async () => {
    const { result, target } = await runWithDeclared(lockout, { profile: 'hostile' });
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(result.durationMs).toBeLessThan(lockout.budgetMs(target));
    expect(result.durationMs).toBeLessThan(60_000);
  });
});

describe.skipIf(mq.skip)('lockout against a real Mosquitto (MQTT only)', () => {
  let secure: MosquittoBroker;
  beforeAll(async () => {
    mq.assert();
    secure = await startMosquitto({
      mode: 'secure',
      users: { admin: MQ_USERS.admin, operator: MQ_USERS.operator },
      acl: { admin: ['readwrite #'], operator: [`read ${MQ_TOPICS.telemetry}`] },
    });
  });
  afterAll(async () => {
    await secure?.close();
  });

  test('secure mosquitto has no lockout → FAIL naming MQTT (a correct finding: a password file alone does not lock)', { timeout: 90_000 }, async () => {
    const pub = await startTelemetryPublisher(secure.url, MQ_TOPICS.telemetry, { username: 'admin', password: MQ_USERS.admin });
    try {
      const t = mosquittoTarget(secure.url, secure.port);
      t.policy.lockout = { threshold: 3, durationMs: SHORT_MS, toleranceMs: 1_000, scope: 'account', interfaces: ['mqtt'], resetOnSuccess: true, extendsOnAttempt: false };
      const { result } = await runScenarioOnProfile(lockout, t);
      expect(result.verdict).toBe('FAIL');
      expect(result.reason).toBe('[mqtt] good password still accepted on mqtt after 3 failed logins (no lockout; none up to 6)');
    } finally {
      await pub.stop();
    }
  });
});
