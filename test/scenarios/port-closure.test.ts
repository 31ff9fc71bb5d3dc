import { describe, expect, test } from 'vitest';
import portClosure from '../../scenarios/port-closure.scenario.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('socat');

describe.skipIf(parts.skip)('port-closure scenario', () => {
  test('hardened: only declared ports are open → PASS', async () => {
    const { result } = await runScenarioAgainstSim(portClosure, { profile: 'hardened' });
    expect(result.verdict, result.reason).toBe('PASS');
  });

  test('debug shell switched on alone → FAIL naming the port and its banner', async () => {
    const { result } = await runScenarioAgainstSim(portClosure, { profile: 'hardened', config: { switches: { debugShell: true } } });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/unexpected open TCP port.*\d+ \(".*root@gw/);
    const m = result.measurements.find((x) => x.name === 'unexpectedOpenTcpPorts');
    expect(m?.value).toHaveLength(1);
  });
});
