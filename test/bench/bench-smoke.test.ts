// Smoke test of the bench (issue 7): runs `bench/run-bench.ts --smoke` in a child process and checks
// that the Markdown and JSON tables hold every figure of the issue with numbers, hil's and its
// reference's. It asserts no timing: benchmarks report figures, they are not timed tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BenchReport } from '../../bench/report-table.js';
import { inCi, needParts } from '../support/real-parts.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const parts = await needParts('nmap', 'socat');
// The Modbus reference is a libmodbus C client the bench compiles; same rule as the other real parts.
const libmodbus = existsSync('/usr/include/modbus/modbus.h');

describe.skipIf(parts.skip)('bench smoke run', () => {
  const out = mkdtempSync(join(tmpdir(), 'hil-bench-smoke-'));
  let report: BenchReport;
  let md: string;
  let code: number | null;
  let output = '';

  beforeAll(async () => {
    parts.assert();
    if (!libmodbus && inCi()) throw new Error('libmodbus-dev is required in CI for the bench reference client: install it with scripts/setup-system.sh');
    if (!libmodbus) console.warn('libmodbus-dev missing: the Modbus reference figure is not checked');
    const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    code = await new Promise<number | null>((resolve, reject) => {
      const c = spawn(process.execPath, [tsx, 'bench/run-bench.ts', '--smoke', '--out', out], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
      c.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
      c.once('error', reject);
      c.once('close', resolve);
    });
    if (existsSync(join(out, 'latest.json'))) report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchReport;
    if (existsSync(join(out, 'latest.md'))) md = readFileSync(join(out, 'latest.md'), 'utf8');
  }, 240_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('exits 0 and writes both tables', () => {
    expect(code, output.slice(-3000)).toBe(0);
    expect(report).toBeDefined();
    expect(md).toContain('| # | figure | hil | reference | ratio | reps | notes |');
    expect(report.mode).toBe('smoke');
    expect(report.machine.nproc).toBeGreaterThan(0);
    expect(report.machine.totalMemGiB).toBeGreaterThan(0);
  });

  test('every figure of the issue (items 1-6) has rows with numbers', () => {
    for (const item of [1, 2, 3, 4, 5, 6]) expect(report.rows.filter((r) => r.item === item).length, `item ${item}`).toBeGreaterThan(0);
    for (const r of report.rows) {
      expect(r.hil, r.id).not.toBeNull();
      for (const k of ['median', 'min', 'max'] as const) expect(Number.isFinite(r.hil![k]), `${r.id}.${k}`).toBe(true);
      expect(r.hil!.n, r.id).toBeGreaterThan(0);
      if (r.referenceName && (libmodbus || !r.id.startsWith('modbus.'))) {
        expect(r.reference, `${r.id} reference`).not.toBeNull();
        expect(Number.isFinite(r.reference!.median), `${r.id} reference median`).toBe(true);
      }
    }
  });

  test('the figures the issue names are present', () => {
    const ids = report.rows.map((r) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'port-scan.nmap',
        'modbus.client-rate',
        'modbus.server-rate',
        'monitor.period',
        'monitor.jitter-p50',
        'monitor.jitter-p95',
        'monitor.jitter-p99',
        'suite.wall',
        'suite.overhead',
        'suite.overhead-pct',
        'fleet.1.wall',
        'fleet.1.rss',
        'startup.help',
        'startup.first-probe',
      ]),
    );
    // Both tools must have found the same open ports (the simulator's), or the time ratio means nothing.
    expect(report.problems.filter((p) => p.startsWith('port scan:')), report.problems.join('\n')).toEqual([]);
    // Every row in the JSON is in the Markdown too.
    for (const r of report.rows) expect(md).toContain(r.figure.replace(/\|/g, '\\|'));
  });
});
