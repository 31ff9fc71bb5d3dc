import { describe, expect, test } from 'vitest';
import linkLoss from '../../scenarios/link-loss.scenario.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { needParts } from '../support/real-parts.js';
import { runWithUpstream } from '../faults/upstream-rig.js';

const parts = await needParts('socat', 'mosquitto');
const m = (r: { measurements: { name: string; value: unknown }[] }, name: string) => r.measurements.find((x) => x.name === name)?.value;

describe.skipIf(parts.skip)('link-loss scenario (sim → fault proxy → mosquitto)', () => {
  test('hardened: cut, blackhole, latency, reset — local control holds, back-off, reconnect → PASS', async () => {
    const { result } = await runWithUpstream(linkLoss, 'hardened');
    expect(result.verdict, result.reason).toBe('PASS');
    for (const mode of ['cut', 'blackhole', 'latency', 'reset']) {
      expect(m(result, `${mode}.connectAttemptsPerSec`)).toBeLessThanOrEqual(2);
      expect(m(result, `${mode}.upstreamReconnectMs`)).not.toBeNull();
    }
  });

  test('weak (fixed 50 ms reconnect): FAIL naming the reconnect storm', async () => {
    const { result } = await runWithUpstream(linkLoss, 'weak', { linkModes: ['cut'] });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/cut: reconnect storm: \d+(\.\d+)? attempts\/s/);
  });

  test('hostile: ERROR or INCONCLUSIVE quickly', async () => {
    const t0 = Date.now();
    const { result } = await runWithUpstream(linkLoss, 'hostile');
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  test('no upstream declared (the demo simulators): NOT_APPLICABLE with a reason', async () => {
    const { result } = await runScenarioAgainstSim(linkLoss, { profile: 'hardened' });
    expect(result.verdict).toBe('NOT_APPLICABLE');
    expect(result.reason).toMatch(/faults\.upstream/);
  });
});
