import { describe, expect, test } from 'vitest';
import requestStorm from '../../scenarios/request-storm.scenario.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('socat');
const m = (r: { measurements: { name: string; value: unknown }[] }, name: string) => r.measurements.find((x) => x.name === name)?.value;

describe.skipIf(parts.skip)('request-storm scenario', () => {
  test('hardened: heartbeat and outputs hold through the storms → PASS, achieved rates reported', async () => {
    const { result } = await runScenarioAgainstSim(requestStorm, { profile: 'hardened' });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(m(result, 'modbusStorm.requestedRates')).toEqual([200, 500, 1000, 2000]);
    const achieved = m(result, 'modbusStorm.achievedRates') as number[];
    const verified = m(result, 'modbusStorm.verifiedRates') as number[];
    // Measured, not echoed: close to but not exactly the asked rates, and every answer verified.
    expect(achieved[3]).toBeGreaterThan(1500);
    expect(verified[3]).toBeGreaterThan(1500);
    expect(m(result, 'mqttStorm.achievedRates')).toHaveLength(2);
    expect((m(result, 'connectionFlood.accepted') as number[]).length).toBeGreaterThanOrEqual(3);
  });

  test('weak (process starves under load): FAIL because the heartbeat stops', async () => {
    const { result } = await runScenarioAgainstSim(requestStorm, { profile: 'weak' });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/heartbeat stopped during the fault/);
  });

  test('hostile: ERROR or INCONCLUSIVE quickly', async () => {
    const t0 = Date.now();
    const { result } = await runScenarioAgainstSim(requestStorm, { profile: 'hostile' });
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
