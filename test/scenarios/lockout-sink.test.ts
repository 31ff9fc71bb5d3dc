import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import lockout from '../../scenarios/lockout.scenario.js';
import { needParts } from '../support/real-parts.js';
import '../support/scenario-harness.js'; // sets the simulator account passwords for this process

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

/**
 * The lockout procedures record through ctx.judge: with the lock per source (lockoutPerSource),
 * the lock episode proves a FAIL (another account is refused during a per-account lock) and then
 * goes on to the extension check. The run is cancelled right after that refusal, so the episode
 * throws part-way (its next wait is aborted). The scope FAIL must stay, listed first, with the
 * cancellation ERROR after it; and the aborted wait must not turn into a "lock extended" FAIL.
 */
describe.skipIf(parts.skip)('lockout: a FAIL the lock episode proved survives the episode throwing after it', () => {
  test('lockoutPerSource, run cancelled right after the scope probe → FAIL (scope) first, ERROR after, no extension verdict', { timeout: 120_000 }, async () => {
    const sim = await startSimInBlock({ profile: 'hardened', config: { switches: { lockoutPerSource: true }, params: { lockoutDurationMs: 1_500 } }, opcua: false });
    const cancel = new AbortController();
    const runDir = mkdtempSync(join(tmpdir(), 'hil-sink-lockout-'));
    const file = join(runDir, 'evidence.jsonl');
    // The episode logs each attempt as it is made: cancel once the other account's attempt is in.
    const watch = setInterval(() => {
      if (!cancel.signal.aborted && existsSync(file) && readFileSync(file, 'utf8').includes('another account (scada) during the lock')) cancel.abort('cancelled by the test');
    }, 5);
    try {
      const env = { ...process.env, ...sim.targetEnv };
      const target = loadTargetFile(join(targets, 'sim-hardened.yaml'), env).profile;
      delete target.interfaces.opcua;
      target.policy.lockout = { ...target.policy.lockout!, interfaces: ['mqtt'], durationMs: 1_500, toleranceMs: 1_000, independentCounters: undefined };
      const secrets = resolveSecrets(target, env);
      const evidence = new EvidenceLog(runDir, 'test-sink-lockout', secrets.redactor);
      const result = await executeScenario(lockout, { target, secrets, evidence, signal: cancel.signal });
      clearInterval(watch);

      expect(cancel.signal.aborted, 'the run was cancelled mid-episode').toBe(true);
      expect(result.verdict, result.reason).toBe('FAIL');
      expect(result.reason).toMatch(/^\[mqtt\] lock on mqtt is not per account: scada is refused while hmi is locked/);
      expect(result.reason).toContain('ERROR: run cancelled');
      expect(result.reason.indexOf('ERROR: run cancelled')).toBeGreaterThan(result.reason.indexOf('is not per account'));
      expect(result.checks?.find((c) => c.name === 'lockoutScope[mqtt]')?.verdict).toBe('FAIL');
      // What the walk proved before still stands; the cut-short wait judged nothing.
      expect(result.checks?.find((c) => c.name === 'lockoutSurvivesReconnect[mqtt]')?.verdict).toBe('PASS');
      expect(result.checks?.find((c) => c.name === 'lockoutNotExtended[mqtt]')).toBeUndefined();
    } finally {
      clearInterval(watch);
      await sim.sim.stop();
    }
  });
});
