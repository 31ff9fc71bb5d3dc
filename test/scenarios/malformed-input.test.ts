import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import malformedInput from '../../scenarios/malformed-input.scenario.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('socat');

describe.skipIf(parts.skip)('malformed-input scenario', () => {
  test('hardened: keeps running and answering after every case on every interface → PASS, one fault record per case', async () => {
    const { result, evidenceFile } = await runScenarioAgainstSim(malformedInput, { profile: 'hardened' });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(result.perInterface).toMatchObject({ 'modbus-tcp': 'PASS', 'modbus-rtu': 'PASS', mqtt: 'PASS', console: 'PASS' });
    const cases = readFileSync(evidenceFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.dir === 'fault' && r.attrs?.case);
    expect(cases.length).toBeGreaterThanOrEqual(18);
    expect(cases.every((c) => c.attrs.controlAfter === true)).toBe(true);
    // modbus-serial's RTU server ignores CRCs (#560): recorded as an observation, not a verdict.
    expect(result.measurements.find((x) => x.name === 'rtuAnsweredBadCrc')?.value).toBe(true);
  });

  test('hostile: ERROR or INCONCLUSIVE quickly', async () => {
    const t0 = Date.now();
    const { result } = await runScenarioAgainstSim(malformedInput, { profile: 'hostile' });
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
