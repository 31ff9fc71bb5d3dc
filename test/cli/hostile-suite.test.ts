import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { needParts } from '../support/real-parts.js';
import { cliEnv, hil } from './cli-process.js';

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

describe.skipIf(parts.skip)('the full suite against the hostile simulator', () => {
  test('every scenario ends ERROR or INCONCLUSIVE (or N/A), within its budget; nothing hangs; exit 2', async () => {
    parts.assert();
    // OPC UA on: the hostile OPC UA port is a silent TCP server, the hardest case for a client.
    const sim = await startSimInBlock({ profile: 'hostile', opcua: true });
    try {
      const out = mkdtempSync(join(tmpdir(), 'hil-hostile-'));
      const env = cliEnv(sim.targetEnv);
      const t0 = Date.now();
      const r = await hil(['run', '--target', join(targets, 'sim-hardened.yaml'), '--out', out], env, 600_000);
      const wall = Date.now() - t0;
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const report = ReportSchema.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
      expect(report.results.length).toBeGreaterThanOrEqual(10);
      for (const res of report.results) {
        expect(['ERROR', 'INCONCLUSIVE', 'NOT_APPLICABLE'], `${res.scenarioId}: ${res.verdict} — ${res.reason}`).toContain(res.verdict);
        if (res.verdict === 'NOT_APPLICABLE') expect(res.reason).toMatch(/upstream/);
      }
      // Never a device verdict from garbage: no PASS, no FAIL.
      expect(report.summary.PASS + report.summary.FAIL).toBe(0);
      console.log(`hostile suite: ${report.results.length} scenarios in ${(wall / 1000).toFixed(1)} s`);
      const v = await hil(['verify', out], env);
      expect(v.code, v.stdout).toBe(0);
    } finally {
      await sim.sim.stop();
    }
  }, 600_000);
});
