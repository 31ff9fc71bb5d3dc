import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.js';
import { ReportSchema } from '../../harness/core/result-schema.js';
import type { RunDiff } from '../../reports/runs/diff-runs.js';
import { renderRunDirectory } from '../../reports/runs/render-run.js';
import { verifyRunDirectory } from '../../reports/signing/verify-run.js';
import { buildFixtureRun } from './run-fixture.js';
import { tempRunDir, testEnv } from './external-tool.js';

async function hil(...args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  try {
    return { code: await main(['node', 'hil', ...args]), out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

const env = testEnv();
const hardened = tempRunDir('hardened');
const weak = tempRunDir('weak');

beforeAll(async () => {
  process.env.HIL_CONFIG_DIR = env.HIL_CONFIG_DIR;
  delete process.env.HIL_LAB_KEY;
  await buildFixtureRun(hardened, { profile: 'hardened' });
  await buildFixtureRun(weak, { profile: 'weak' });
  renderRunDirectory(hardened, { env });
  renderRunDirectory(weak, { env });
});

describe('hil diff', () => {
  it('lists each regression by scenario and exits 1 (hardened → weak)', async () => {
    const r = await hil('diff', hardened, weak);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^REGRESSION lockout-console: PASS → FAIL$/m);
    expect(r.out).toMatch(/lockoutDuration drifted 302.4 s → 0 s .*outside its limits/);
    expect(r.out).toMatch(/^REGRESSION port-allowlist: PASS → FAIL$/m);
    expect(r.out).toContain('openTcpPorts: newly open 23, 8080');
    expect(r.out).toMatch(/^REGRESSION modbus-range: PASS → FAIL$/m);
    expect(r.out).toMatch(/out-of-range write rejected \[modbus\].*→ accepted \(echo\)/);
    expect(r.out).toMatch(/^REGRESSION mqtt-acl: PASS → INCONCLUSIVE$/m);
    expect(r.out).not.toContain('opcua-security'); // NOT_APPLICABLE in both: unchanged
  });

  it('reports improvements without failing (weak → hardened), and closed ports', async () => {
    const r = await hil('diff', weak, hardened);
    expect(r.code).toBe(0);
    expect(r.out).toContain('openTcpPorts: closed 23, 8080');
    expect(r.out).toMatch(/0 regression\(s\), \d+ improvement\(s\)/);
  });

  it('prints JSON with --json and no changes for the same run', async () => {
    const r = await hil('diff', hardened, hardened, '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out) as RunDiff;
    expect(d.regressions).toBe(0);
    expect(d.scenarios).toEqual([]);
  });
});

describe('hil merge', () => {
  it('merges shards of one target into one signed, verifiable run directory', async () => {
    const a = tempRunDir('shard-a');
    const b = tempRunDir('shard-b');
    await buildFixtureRun(a, { profile: 'hardened', only: ['lockout-console', 'port-allowlist'], runId: 'shard-1' });
    await buildFixtureRun(b, { profile: 'hardened', only: ['port-allowlist', 'modbus-range', 'mqtt-acl'], runId: 'shard-2' });
    renderRunDirectory(a, { env });
    // b is a killed-before-render shard: no manifest, still mergeable and chain-checked.
    const out = join(tempRunDir('merged'), 'out');
    const r = await hil('merge', a, b, '--out', out);
    expect(r.code).toBe(0);
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.results.map((x) => x.scenarioId).sort()).toEqual(['lockout-console', 'modbus-range', 'mqtt-acl', 'port-allowlist']);
    expect(report.results.find((x) => x.scenarioId === 'port-allowlist')!.reason).toContain('merged: ran 2 times');
    expect(report.summary.total).toBe(4);
    for (const f of ['junit.xml', 'report.html', 'summary.md', 'traffic.pcapng', 'manifest.json', 'manifest.sig', 'evidence.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);
    const v = await hil('verify', out);
    expect(v.out).toMatch(/^OK /);
    expect(v.code).toBe(0);

    // A record of a copied source changed: its chain breaks and the merged record no longer matches its origin.
    const src = join(out, 'sources', '2-shard-2', 'evidence.jsonl');
    writeFileSync(src, readFileSync(src, 'utf8').replace('"channel":"modbus-tcp"', '"channel":"modbus-tcX"'));
    const bad = verifyRunDirectory(out);
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.file)).toContain('sources/2-shard-2/evidence.jsonl');
  });

  it('merges several targets into one directory per target with an index', async () => {
    const other = tempRunDir('other-target');
    await buildFixtureRun(other, { profile: 'weak', targetName: 'container-gw' });
    const out = join(tempRunDir('merged-multi'), 'out');
    const r = await hil('merge', hardened, other, '--out', out);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'sim-gateway', 'report.json'))).toBe(true);
    expect(existsSync(join(out, 'container-gw', 'report.html'))).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('container-gw/report.html');
    const v = verifyRunDirectory(out);
    expect(v.problems).toEqual([]);
    expect(v.checked.nested).toEqual(expect.arrayContaining(['container-gw', 'sim-gateway']));
  });

  it('refuses runs of one target with different firmware (that is a diff)', async () => {
    const out = join(tempRunDir('merged-bad'), 'out');
    const r = await hil('merge', hardened, weak, '--out', out);
    expect(r.code).toBe(2);
  });
});
