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
const SCENARIOS = ['--scenario', 'port-closure', '--scenario', 'secure-channel'];

describe.skipIf(parts.skip)('sharding across benches and merging the run directories', () => {
  test('--shard 1/2 and 2/2 each run part of the suite; hil merge combines them into one signed report', async () => {
    parts.assert();
    const sim = await startSimInBlock({ profile: 'weak', opcua: false });
    try {
      const env = cliEnv(sim.targetEnv);
      const root = mkdtempSync(join(tmpdir(), 'hil-shard-'));
      const ids: string[][] = [];
      for (const shard of ['1/2', '2/2']) {
        const out = join(root, `shard-${shard[0]}`);
        const r = await hil(['run', '--target', join(targets, 'sim-weak.yaml'), '--shard', shard, '--out', out, ...SCENARIOS], env);
        expect(r.code, r.stdout + r.stderr).toBe(1); // the weak simulator fails both
        const rep = ReportSchema.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
        expect(rep.run.shard).toBe(shard);
        ids.push(rep.results.map((x) => x.scenarioId));
      }
      expect(ids.every((x) => x.length === 1)).toBe(true);
      expect(ids.flat().sort()).toEqual(['port-closure', 'secure-channel']);

      const merged = join(root, 'merged');
      const m = await hil(['merge', join(root, 'shard-1'), join(root, 'shard-2'), '--out', merged], env);
      expect(m.code, m.stdout + m.stderr).toBe(0);
      const rep = ReportSchema.parse(JSON.parse(readFileSync(join(merged, 'report.json'), 'utf8')));
      expect(rep.results.map((x) => x.scenarioId).sort()).toEqual(['port-closure', 'secure-channel']);
      expect(rep.summary.FAIL).toBe(2);
      const v = await hil(['verify', merged], env);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    } finally {
      await sim.sim.stop();
    }
  }, 180_000);
});
