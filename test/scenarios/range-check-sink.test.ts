import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import rangeCheck from '../../scenarios/range-check.scenario.js';
import { needParts } from '../support/real-parts.js';
import '../support/scenario-harness.js'; // sets the simulator account passwords for this process

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

/** Declared ranges of sim-hardened.yaml's writable points. */
const RANGES = { heaterSetpoint: [0, 80], valvePosition: [0, 100] } as const;
const ORIGINAL = { heaterSetpoint: 45, valvePosition: 30 };

/**
 * range-check records its point probes through ctx.judge like every other procedure: with Modbus
 * range checks off (rangeCheck.modbus = accept), the first out-of-range write is stored; as soon as
 * the simulator's process shows it and then the next write, the run is cancelled, so the probe
 * throws part-way (an aborted device operation). The stored write must stay a FAIL, listed first,
 * with the cancellation ERROR after it, and teardown still restores the original values.
 */
describe.skipIf(parts.skip)('range-check: a stored out-of-range write survives the probe throwing after it', () => {
  test('rangeCheck.modbus = accept, run cancelled right after the first stored write → FAIL first, ERROR after; originals restored', { timeout: 180_000 }, async () => {
    const sim = await startSimInBlock({ profile: 'hardened', config: { switches: { rangeCheck: { modbus: 'accept' } } }, opcua: false });
    const cancel = new AbortController();
    let stored: string | undefined;
    // Watch the simulated process: an out-of-range value stored, then any later write (the probe has read back by then).
    const watch = setInterval(() => {
      const c = sim.sim.model.snapshot().commanded;
      const out = (Object.keys(RANGES) as (keyof typeof RANGES)[]).find((p) => c[p] < RANGES[p][0] || c[p] > RANGES[p][1]);
      if (!stored && out) stored = `${out}=${c[out]}`;
      else if (stored && !out && !cancel.signal.aborted) cancel.abort('cancelled by the test');
    }, 2);
    try {
      const env = { ...process.env, ...sim.targetEnv };
      const target = loadTargetFile(join(targets, 'sim-hardened.yaml'), env);
      const secrets = resolveSecrets(target.profile, env);
      const evidence = new EvidenceLog(mkdtempSync(join(tmpdir(), 'hil-sink-range-')), 'test-sink-range', secrets.redactor);
      const result = await executeScenario(rangeCheck, { target: target.profile, secrets, evidence, signal: cancel.signal });
      clearInterval(watch);

      expect(stored, 'an out-of-range value reached the simulated process').toBeDefined();
      expect(cancel.signal.aborted, 'the run was cancelled mid-probe').toBe(true);
      expect(result.verdict, result.reason).toBe('FAIL');
      expect(result.reason, result.reason).toMatch(/^\[modbus-(tcp|rtu)\] (heaterSetpoint|valvePosition): .* was stored/);
      expect(result.reason).toContain('ERROR: run cancelled');
      expect(result.reason.indexOf('ERROR: run cancelled')).toBeGreaterThan(result.reason.indexOf('was stored'));
      // Teardown restored what the cancelled probe had changed, and said so.
      expect(sim.sim.model.snapshot().commanded).toMatchObject(ORIGINAL);
    } finally {
      clearInterval(watch);
      await sim.sim.stop();
    }
  });
});
