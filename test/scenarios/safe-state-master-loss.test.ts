import { describe, expect, test } from 'vitest';
import masterLoss from '../../scenarios/safe-state-master-loss.scenario.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('socat');
const m = (r: { measurements: { name: string; value: unknown }[] }, name: string) => r.measurements.find((x) => x.name === name)?.value;

describe.skipIf(parts.skip)('safe-state-master-loss scenario', () => {
  test('hardened: outputs go safe within the reaction time, heartbeat runs, recovery → PASS', async () => {
    const { result } = await runScenarioAgainstSim(masterLoss, { profile: 'hardened' });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(m(result, 'reactionMs')).toBeLessThanOrEqual(1500);
    expect(m(result, 'recoveryMs')).toBeLessThanOrEqual(1500);
    expect(m(result, 'monitorPeriodMs')).toBeLessThan(15);
  });

  test('weak (outputs hold on comm loss): FAIL naming the unsafe output', async () => {
    const { result } = await runScenarioAgainstSim(masterLoss, { profile: 'weak' });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/held an unsafe value.*valve=\d+ \(safe 0\)/);
  });

  // The "outputs hold their last value on watchdog expiry" is the switch safeStateOnCommLoss: 'hold':
  // the watchdog still expires (safe-state flag and alert), the outputs keep the last commanded value.
  test('outputs hold on watchdog expiry (safeStateOnCommLoss hold) alone → FAIL naming the held output', async () => {
    const { result } = await runScenarioAgainstSim(masterLoss, { profile: 'hardened', config: { switches: { safeStateOnCommLoss: 'hold' } } });
    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.reason).toMatch(/held an unsafe value.*valve=\d+ \(safe 0\)/);
  });

  test('hostile: ERROR or INCONCLUSIVE quickly', async () => {
    const t0 = Date.now();
    const { result } = await runScenarioAgainstSim(masterLoss, { profile: 'hostile' });
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
