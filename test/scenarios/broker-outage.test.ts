import { describe, expect, test } from 'vitest';
import brokerOutage from '../../scenarios/broker-outage.scenario.js';
import { needParts } from '../support/real-parts.js';
import { runWithUpstream } from '../faults/upstream-rig.js';

const parts = await needParts('socat', 'mosquitto');
const m = (r: { measurements: { name: string; value: unknown }[] }, name: string) => r.measurements.find((x) => x.name === name)?.value;

describe.skipIf(parts.skip)('broker-outage scenario (real mosquitto stopped and restarted)', () => {
  test('hardened: local control holds, back-off, reconnect after restart → PASS', async () => {
    const { result, broker } = await runWithUpstream(brokerOutage, 'hardened');
    expect(result.verdict, result.reason).toBe('PASS');
    expect(m(result, 'outage.connectAttemptsPerSec')).toBeLessThanOrEqual(2);
    expect(m(result, 'outage.upstreamReconnectMs')).not.toBeNull();
    // The broker really went down and came back: two "running" lines in its log.
    expect(broker.logs().match(/mosquitto version \S+ running/g)?.length).toBe(2);
  });

  test('weak (fixed 50 ms reconnect): FAIL "reconnect storm: N attempts/s"', async () => {
    const { result } = await runWithUpstream(brokerOutage, 'weak');
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/reconnect storm: \d+(\.\d+)? attempts\/s/);
    expect(m(result, 'outage.connectAttemptsPerSec')).toBeGreaterThan(5);
  });

  test('hostile: ERROR or INCONCLUSIVE quickly', async () => {
    const t0 = Date.now();
    const { result } = await runWithUpstream(brokerOutage, 'hostile');
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
