import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import rangeCheck from '../../scenarios/range-check.scenario.js';
import type { ProcessSnapshot } from '../../simulators/gateway/process-model.js';
import type { SimConfigOverrides, SimProfileName } from '../../simulators/gateway/sim-config.js';
import { needParts } from '../support/real-parts.js';
import '../support/scenario-harness.js'; // sets the simulator account passwords for this process

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

interface RangeRun {
  result: ScenarioResult;
  /** The simulator's process state after the scenario (teardown included). */
  after: ProcessSnapshot;
  budgetMs: number;
}

/** Run range-check against a fresh simulator; `declare` edits the target profile (what the device claims). */
async function runRange(opts: {
  profile: SimProfileName;
  config?: SimConfigOverrides;
  opcua?: boolean;
  declare?: (t: TargetProfile) => void;
}): Promise<RangeRun> {
  const sim = await startSimInBlock({ profile: opts.profile, config: opts.config, opcua: opts.opcua ?? false });
  try {
    const env = { ...process.env, ...sim.targetEnv };
    const target = loadTargetFile(join(targets, 'sim-hardened.yaml'), env);
    opts.declare?.(target.profile);
    const secrets = resolveSecrets(target.profile, env);
    const runDir = mkdtempSync(join(tmpdir(), 'hil-scn-range-check-'));
    const evidence = new EvidenceLog(runDir, 'test-range-check', secrets.redactor);
    const result = await executeScenario(rangeCheck, { target: target.profile, secrets, evidence });
    return { result, after: sim.sim.model.snapshot(), budgetMs: rangeCheck.budgetMs(target.profile) };
  } finally {
    await sim.sim.stop();
  }
}

/** Start state of the simulator (simulators/README.md): the scenario must leave it so. */
const ORIGINAL = { heaterSetpoint: 45, valvePosition: 30 };

function expectRestored(r: RangeRun) {
  expect(r.after.commanded).toMatchObject(ORIGINAL);
  const restored = r.result.measurements.filter((m) => m.name.endsWith('.restored'));
  expect(restored.length).toBeGreaterThan(0);
  expect(restored.every((m) => m.value === true)).toBe(true);
}

const measured = (r: RangeRun) => Object.fromEntries(r.result.measurements.map((m) => [m.name, m.value]));

const OTHERS = ['modbus-tcp', 'modbus-rtu', 'mqtt', 'console'] as const;

describe.skipIf(parts.skip)('range-check scenario', () => {
  test('hardened, every interface incl. OPC UA → PASS; nothing reached the process; originals restored', { timeout: 300_000 }, async () => {
    const r = await runRange({ profile: 'hardened', opcua: true });
    expect(r.result.verdict, r.result.reason).toBe('PASS');
    expect(r.result.perInterface).toEqual({ 'modbus-tcp': 'PASS', 'modbus-rtu': 'PASS', mqtt: 'PASS', opcua: 'PASS', console: 'PASS' });
    const m = measured(r);
    expect(m['heaterSetpoint.modbus-tcp.control.fc06']).toBe('took effect');
    expect(m['heaterSetpoint.modbus-tcp.fc16-array.max+1']).toBe('rejected');
    expect(m['valvePosition.modbus-rtu.fc06.min-1']).toBe('rejected');
    expect(m['heaterSetpoint.opcua.max+1']).toBe('rejected');
    expect(m['heaterSetpoint.opcua.wrong-type']).toBe('rejected');
    expect(m['valvePosition.mqtt.wrong-type']).toBe('rejected');
    expect(m['heaterSetpoint.console.min-1']).toBe('rejected');
    expect(m['heaterSetpoint.modbus-tcp.wrong-type']).toMatch(/^not applicable/);
    expect(r.result.assertions.find((a) => a.name.startsWith('heaterSetpoint.opcua.max+1'))?.actual).toMatchObject({ code: 'BadOutOfRange' });
    expectRestored(r);
  });

  test('weak → FAIL naming the interface and the stored value; originals restored', { timeout: 180_000 }, async () => {
    const r = await runRange({ profile: 'weak' });
    expect(r.result.verdict).toBe('FAIL');
    for (const iface of OTHERS) expect(r.result.perInterface?.[iface]).toBe('FAIL');
    expect(r.result.reason).toMatch(/\[modbus-tcp\] heaterSetpoint: FC06 write of 81 °C \(max 80 °C\) was stored \(read back 81 °C, monitor 81 °C/);
    expect(r.result.reason).toMatch(/\[mqtt\] valvePosition: MQTT command of 101 % \(max 100 %\) was stored/);
    expect(r.result.reason).toMatch(/\[console\] heaterSetpoint: console command of -1 °C \(min 0 °C\) was stored/);
    expectRestored(r);
  });

  for (const sw of ['modbus', 'mqtt', 'console'] as const) {
    test(`rangeCheck.${sw} = accept alone → FAIL on ${sw} only`, { timeout: 180_000 }, async () => {
      const r = await runRange({ profile: 'hardened', config: { switches: { rangeCheck: { [sw]: 'accept' } } } });
      expect(r.result.verdict).toBe('FAIL');
      const failing = sw === 'modbus' ? ['modbus-tcp', 'modbus-rtu'] : [sw];
      for (const iface of OTHERS) expect(r.result.perInterface?.[iface], `${iface}: ${r.result.reason}`).toBe(failing.includes(iface) ? 'FAIL' : 'PASS');
      for (const iface of failing) expect(r.result.reason).toContain(`[${iface}]`);
      expect(r.result.reason).toMatch(/was stored/);
      expectRestored(r);
    });
  }

  test('fc16BypassesRangeCheck alone → FAIL on Modbus naming FC16 (FC06 still rejects)', { timeout: 180_000 }, async () => {
    const r = await runRange({ profile: 'hardened', config: { switches: { fc16BypassesRangeCheck: true } } });
    expect(r.result.verdict, r.result.reason).toBe('FAIL');
    for (const iface of OTHERS) expect(r.result.perInterface?.[iface], `${iface}: ${r.result.reason}`).toBe(iface.startsWith('modbus') ? 'FAIL' : 'PASS');
    expect(r.result.reason).toMatch(/\[modbus-tcp\] heaterSetpoint: FC16 multi-register write of 81 °C \(max 80 °C\) was stored \(read back 81 °C, monitor 81 °C/);
    expect(r.result.reason).toMatch(/\[modbus-rtu\] valvePosition: FC16 multi-register write of 101 % \(max 100 %\) was stored/);
    expect(r.result.reason).not.toMatch(/FC06/);
    expectRestored(r);
  });

  test('mqttSilentOutOfRange alone → FAIL on MQTT: applied with no status reply', { timeout: 180_000 }, async () => {
    const r = await runRange({ profile: 'hardened', config: { switches: { mqttSilentOutOfRange: true } } });
    expect(r.result.verdict, r.result.reason).toBe('FAIL');
    for (const iface of OTHERS) expect(r.result.perInterface?.[iface], `${iface}: ${r.result.reason}`).toBe(iface === 'mqtt' ? 'FAIL' : 'PASS');
    expect(r.result.reason).toMatch(/\[mqtt\] \w+: MQTT command of [-\d]+ \S+ \([a-z]+ [-\d]+ \S+\) was stored/);
    expect(r.result.reason).toMatch(/no status message within \d+ ms/);
    expectRestored(r);
  });

  test('rangeCheck.opcua = accept alone → FAIL on opcua only', { timeout: 300_000 }, async () => {
    const r = await runRange({ profile: 'hardened', opcua: true, config: { switches: { rangeCheck: { opcua: 'accept' } } } });
    expect(r.result.verdict).toBe('FAIL');
    expect(r.result.perInterface).toEqual({ 'modbus-tcp': 'PASS', 'modbus-rtu': 'PASS', mqtt: 'PASS', opcua: 'FAIL', console: 'PASS' });
    expect(r.result.reason).toMatch(/\[opcua\] heaterSetpoint: OPC UA write of 81 °C \(max 80 °C\) was stored/);
    expectRestored(r);
  });

  test('alerts off alone → FAIL: rejected commands raise no alert on the declared topic', { timeout: 180_000 }, async () => {
    const r = await runRange({ profile: 'hardened', config: { switches: { alerts: false } } });
    expect(r.result.verdict).toBe('FAIL');
    expect(r.result.reason).toMatch(/out-of-range write\(s\) rejected but no alert appeared on the declared alert topic gw\/gw-sim-01\/alert/);
    expect(r.result.reason).not.toMatch(/was stored/);
    expectRestored(r);
  });

  test('switches it does not depend on (lockout, idle timeout, password policy, debug shell, MQTT ACL/anonymous, safe state, privilege separation) leave it PASS', { timeout: 180_000 }, async () => {
    const r = await runRange({
      profile: 'hardened',
      config: {
        switches: {
          lockout: false,
          idleTimeout: false,
          passwordPolicy: false,
          debugShell: true,
          mqttAnonymous: true,
          mqttAcl: false,
          safeStateOnCommLoss: 'hold',
          privilegeSeparation: false,
        },
      },
    });
    expect(r.result.verdict, r.result.reason).toBe('PASS');
    expectRestored(r);
  });

  const clampAll = { switches: { rangeCheck: { modbus: 'clamp', mqtt: 'clamp', opcua: 'clamp', console: 'clamp' } } } as const;
  const declareClamp = (t: TargetProfile) => {
    for (const p of Object.values(t.policy.points)) p.reaction = { default: 'clamp' };
  };

  test('clamping device that declares clamp → PASS (incl. min-1 sent as 0xFFF6 and clamped to max by an unsigned register)', { timeout: 180_000 }, async () => {
    const r = await runRange({ profile: 'hardened', config: clampAll, declare: declareClamp });
    expect(r.result.verdict, r.result.reason).toBe('PASS');
    const m = measured(r);
    expect(m['heaterSetpoint.modbus-tcp.fc06.max+1']).toBe('clamped');
    expect(m['heaterSetpoint.modbus-tcp.fc06.min-1']).toBe('clamped');
    expect(m['valvePosition.mqtt.min-1']).toBe('clamped');
    expect(m['heaterSetpoint.console.wrong-type']).toBe('rejected');
    expectRestored(r);
  });

  test('clamping device that declares reject → FAIL for the mismatch (safe, but not the declared reaction)', { timeout: 180_000 }, async () => {
    const r = await runRange({ profile: 'hardened', config: clampAll });
    expect(r.result.verdict).toBe('FAIL');
    expect(r.result.reason).toMatch(/heaterSetpoint: FC06 write of 81 °C \(max 80 °C\) was clamped .* but the profile declares "reject": the value stayed in range/);
    expect(r.result.reason).not.toMatch(/was stored/);
    expectRestored(r);
  });

  test('Modbus exception code other than the declared rejectCodes → FAIL for the mismatch', { timeout: 180_000 }, async () => {
    const r = await runRange({
      profile: 'hardened',
      declare: (t) => {
        for (const p of Object.values(t.policy.points)) if (p.modbus) p.modbus.rejectCodes = [4];
      },
    });
    expect(r.result.verdict).toBe('FAIL');
    expect(r.result.perInterface).toMatchObject({ 'modbus-tcp': 'FAIL', 'modbus-rtu': 'FAIL', mqtt: 'PASS', console: 'PASS' });
    expect(r.result.reason).toMatch(/FC06 write of 81 °C \(max 80 °C\) was rejected with exception 03 ILLEGAL DATA VALUE, which the profile does not declare \(rejectCodes \[4\]\)/);
    expectRestored(r);
  });

  test('hostile → ERROR or INCONCLUSIVE within the time budget, never PASS/FAIL', { timeout: 300_000 }, async () => {
    const r = await runRange({ profile: 'hostile' });
    expect(['ERROR', 'INCONCLUSIVE'], r.result.reason).toContain(r.result.verdict);
    expect(r.result.durationMs).toBeLessThan(r.budgetMs);
  });
});
