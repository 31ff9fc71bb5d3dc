import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { needParts } from '../support/real-parts.js';
import { cliEnv, HIL, hil } from './cli-process.js';

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

/** Scenario hosts of one `hil run`: processes whose environment names it as their parent (HIL_PARENT_PID). */
function workersOf(hilPid: number): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`HIL_PARENT_PID=${hilPid}`)) pids.push(Number(d));
    } catch {
      // gone, or not readable
    }
  }
  return pids;
}

describe.skipIf(parts.skip)('a run killed mid-way', () => {
  test('SIGKILL of hil run: the worker ends too, the evidence survives, hil report re-renders it', async () => {
    parts.assert();
    const sim = await startSimInBlock({ profile: 'hardened', opcua: false });
    try {
      const out = mkdtempSync(join(tmpdir(), 'hil-killed-'));
      const env = cliEnv(sim.targetEnv);
      const p = spawn(process.execPath, [HIL, 'run', '--target', join(targets, 'sim-hardened.yaml'), '--out', out], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no scenario started within 60 s')), 60_000);
        let buf = '';
        p.stdout.on('data', (d) => {
          buf += d;
          if (buf.includes('▶')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      await new Promise((r) => setTimeout(r, 300));
      // The host is running (otherwise the check below would prove nothing).
      expect(workersOf(p.pid!).length).toBeGreaterThan(0);
      p.kill('SIGKILL');
      await new Promise((r) => p.once('close', r));

      // The worker notices that its parent is gone and ends within a few seconds.
      const until = Date.now() + 15_000;
      while (workersOf(p.pid!).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect(workersOf(p.pid!), 'scenario worker still running after its parent was killed').toEqual([]);

      expect(existsSync(join(out, 'evidence.jsonl'))).toBe(true);
      expect(existsSync(join(out, 'report.json'))).toBe(false);
      const r = await hil(['report', out], env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { run: { partial?: boolean }; results: { verdict: string }[] };
      expect(report.run.partial).toBe(true);
      expect(report.results.some((x) => x.verdict === 'ERROR' || x.verdict === 'NOT_RUN')).toBe(true);
      // Intact but without a seal: a partial run has its own exit code (4), not OK (issue 14).
      const v = await hil(['verify', out], env);
      expect(v.code, v.stdout + v.stderr).toBe(4);
      expect(v.stdout).toContain('partial run, ends at seq');
    } finally {
      await sim.sim.stop();
    }
  }, 120_000);
});
