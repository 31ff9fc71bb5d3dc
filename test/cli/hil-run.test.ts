import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { freePortBlock } from '../../harness/demo/free-port-block.js';
import { SIM_BLOCK, SIM_PORT_OFFSETS } from '../../harness/demo/sim-in-block.js';
import { simTargetEnv, type SimEndpointsLike } from '../../harness/demo/sim-target-env.js';
import { needParts } from '../support/real-parts.js';
import { cliEnv, hil, startSimProcess } from './cli-process.js';

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');
const baseEnv = cliEnv();
// Fast scenarios that need no lockout waits: enough to show the exit-code contract end to end.
const SUBSET = ['--scenario', 'port-closure'];

describe.skipIf(parts.skip)('hil run against hil sim (real processes)', () => {
  const sims: { stop: () => Promise<number | null> }[] = [];
  const envs: Record<string, NodeJS.ProcessEnv> = {};

  beforeAll(async () => {
    parts.assert();
    for (const profile of ['hardened', 'weak'] as const) {
      const base = await freePortBlock('127.0.0.1', SIM_BLOCK, Object.values(SIM_PORT_OFFSETS), []);
      const ptyDir = mkdtempSync(join(tmpdir(), `hil-cli-${profile}-`));
      // The fixed layout from --base-port keeps every port inside this test's free block.
      const s = await startSimProcess(['--profile', profile, '--no-opcua', '--base-port', String(base), '--pty-dir', ptyDir], baseEnv);
      sims.push(s);
      envs[profile] = { ...baseEnv, ...simTargetEnv(s.ready as unknown as SimEndpointsLike, `${base}-${base + SIM_BLOCK - 1}`) };
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of sims) expect(await s.stop()).toBe(0);
  });

  test('hardened: exit 0 and a run directory in the contract shape', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hil-run-h-'));
    const r = await hil(['run', '--target', join(targets, 'sim-hardened.yaml'), '--out', out, ...SUBSET], envs.hardened!);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/▶ port-closure/);
    expect(r.stdout).toMatch(/PASS\s+port-closure/);
    for (const f of ['report.json', 'junit.xml', 'report.html', 'summary.md', 'evidence.jsonl', 'traffic.pcapng', 'manifest.json', 'manifest.sig']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.target.name).toBe('sim-hardened');
    expect(report.results.map((x) => x.scenarioId)).toEqual(['port-closure']);
    expect(report.summary.PASS).toBe(1);
    expect(report.results.every((x) => x.requirements.some((q) => q.startsWith('CPSF:')))).toBe(true);
  });

  test('weak: exit 1 with the weakness named', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hil-run-w-'));
    const r = await hil(['run', '--target', join(targets, 'sim-weak.yaml'), '--out', out, ...SUBSET], envs.weak!);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.results.find((x) => x.scenarioId === 'port-closure')?.verdict).toBe('FAIL');
    expect(report.results.find((x) => x.scenarioId === 'port-closure')?.reason).toMatch(/unexpected open TCP port/);
  });

  test('two targets at once with --parallel 2', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hil-run-p-'));
    // One environment serves both: the weak target reads its own variables from a copy of its profile.
    const weakFile = join(out, 'weak.yaml');
    const text = readFileSync(join(targets, 'sim-weak.yaml'), 'utf8').replace(/\$\{HIL_SIM_([A-Z_]+)(:-[^}]*)?\}/g, (_m, v: string, d = '') => `\${HIL_W_${v}${d}}`);
    writeFileSync(weakFile, text);
    const env = { ...envs.hardened };
    for (const [k, v] of Object.entries(envs.weak!)) if (k.startsWith('HIL_SIM_') && !/PASSWORD/.test(k)) env[`HIL_W_${k.slice(8)}`] = v;
    const r = await hil(['run', '--target', join(targets, 'sim-hardened.yaml'), '--target', weakFile, '--parallel', '2', '--out', out, '--scenario', 'port-closure'], env);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/port-closure\s+PASS\s+FAIL/);
    expect(existsSync(join(out, 'sim-hardened', 'report.json'))).toBe(true);
    expect(existsSync(join(out, 'sim-weak', 'report.json'))).toBe(true);
  });
});

describe('hil run refuses bad input before sending anything', () => {
  test('a typo in the profile: exit 2, names the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-bad-'));
    const f = join(dir, 'typo.yaml');
    writeFileSync(f, readFileSync(join(targets, 'sim-hardened.yaml'), 'utf8').replace('idleTimeoutMs: 3000', 'idleTimoutMs: 3000'));
    const r = await hil(['run', '--target', f, '--out', join(dir, 'out')], baseEnv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(f);
    expect(r.stderr).toMatch(/policy: unknown field\(s\) "idleTimoutMs"/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('a missing secret: exit 2, names the variable', async () => {
    const env: NodeJS.ProcessEnv = { ...baseEnv };
    delete env.HIL_SIM_OPERATOR_PASSWORD;
    const r = await hil(['run', '--target', join(targets, 'sim-hardened.yaml'), '--out', join(tmpdir(), 'never')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/HIL_SIM_OPERATOR_PASSWORD/);
  });

  test('an unknown scenario id: exit 2', async () => {
    const r = await hil(['run', '--target', join(targets, 'sim-hardened.yaml'), '--scenario', 'no-such-thing', '--out', join(tmpdir(), 'never2')], baseEnv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown scenario id\(s\): no-such-thing/);
  });

  test('hil list prints every scenario with its references', async () => {
    const r = await hil(['list', '--json'], baseEnv);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; requirements: string[] }[];
    expect(rows.map((x) => x.id)).toContain('port-closure');
    for (const row of rows) expect(row.requirements.length).toBeGreaterThan(0);
  });
});
