import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { needParts } from '../support/real-parts.js';
import { hil } from './cli-process.js';

const parts = await needParts('socat');

/**
 * The README's main command. Every scenario's PASS/FAIL behaviour is proven in test/scenarios; here
 * the command itself: both simulators start in-process with fresh random passwords, the suite runs
 * against both, the matrix and report paths are printed, nothing secret leaks, exit 0.
 */
describe.skipIf(parts.skip)('hil demo', () => {
  test('runs against hardened and weak, prints the matrix and the report paths, exit 0', async () => {
    parts.assert();
    const out = mkdtempSync(join(tmpdir(), 'hil-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'hil-cfg-')) };
    delete env.HIL_SIM_ADMIN_PASSWORD; // the demo makes its own
    delete env.HIL_SIM_OPERATOR_PASSWORD;
    const r = await hil(['demo', '--out', out, '--scenario', 'port-closure', '--scenario', 'unauthenticated-access', '--scenario', 'secure-channel'], env, 300_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scenario\s+sim-hardened\s+sim-weak/);
    expect(r.stdout).toMatch(/port-closure\s+PASS\s+FAIL/);
    expect(r.stdout).toMatch(/unauthenticated-access\s+PASS\s+FAIL/);
    expect(r.stdout).toMatch(/As expected/);
    for (const profile of ['hardened', 'weak']) {
      const dir = join(out, `sim-${profile}`);
      expect(r.stdout).toContain(join(dir, 'report.html'));
      const report = ReportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
      expect(report.target.name).toBe(`sim-${profile}`);
      expect(existsSync(join(dir, 'manifest.sig'))).toBe(true);
      // The demo's generated passwords never reach the run directory.
      const evidence = readFileSync(join(dir, 'evidence.jsonl'), 'utf8');
      expect(evidence).not.toMatch(/Demo-[A-Za-z0-9_-]{12}#7/);
    }
    const v = await hil(['verify', join(out, 'sim-weak')], env);
    expect(v.code, v.stdout).toBe(0);
  }, 300_000);
});
