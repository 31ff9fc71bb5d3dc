import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { closeModbus, modbusTcpClient } from '../simulator/sim-test-kit.js';
import { needParts } from '../support/real-parts.js';
import { cliEnv, HIL, hil } from './cli-process.js';

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');
/** heaterSetpoint: holding register 0, 0.1 °C per count. */
const SETPOINT_REGISTER = 0;

interface Rec {
  seq: number;
  t: string;
  text?: string;
  attrs?: { restoration?: { state: string; plan?: { id: string; point: string; original: number }; done?: { id: string } } };
}
/** Complete lines of evidence.jsonl (a kill can tear the last one). */
function evidence(out: string): Rec[] {
  const path = join(out, 'evidence.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Rec];
    } catch {
      return [];
    }
  });
}
const planned = (recs: Rec[]) => recs.filter((r) => r.attrs?.restoration?.state === 'planned');
const doneIds = (recs: Rec[]) => new Set(recs.flatMap((r) => (r.attrs?.restoration?.state === 'done' ? [r.attrs.restoration.done!.id] : [])));

describe.skipIf(parts.skip)('SIGKILL of hil run during range-check (weak simulator)', () => {
  test('the worker stops at once, the outstanding restoration is reported, hil restore puts the setpoint back, verify holds', async () => {
    parts.assert();
    const sim = await startSimInBlock({ profile: 'weak', opcua: false });
    const modbusUrl = sim.targetEnv.HIL_SIM_MODBUS_TCP!;
    const readSetpoint = async () => {
      const c = await modbusTcpClient(modbusUrl);
      try {
        return (await c.readHoldingRegisters(SETPOINT_REGISTER, 1)).data[0]!;
      } finally {
        await closeModbus(c);
      }
    };
    try {
      const before = await readSetpoint();
      const out = join(mkdtempSync(join(tmpdir(), 'hil-kill-restore-')), 'run');
      const env = cliEnv(sim.targetEnv);
      const p = spawn(process.execPath, [HIL, 'run', '--target', join(targets, 'sim-weak.yaml'), '--out', out, '--scenario', 'range-check'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      // Wait until range-check has announced what it will restore and has written to the device since.
      const until = Date.now() + 90_000;
      let recs: Rec[] = [];
      for (;;) {
        recs = evidence(out);
        const open = planned(recs).filter((r) => !doneIds(recs).has(r.attrs!.restoration!.plan!.id));
        if (open.length && recs.at(-1)!.seq > open[0]!.seq + 10) break;
        if (Date.now() > until || p.exitCode !== null) throw new Error(`range-check never got going: ${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const killedAt = Date.now();
      p.kill('SIGKILL');
      await new Promise((r) => p.once('close', r));
      await new Promise((r) => setTimeout(r, 1500));

      // Nothing reached the evidence more than 200 ms after the kill: the worker stopped too.
      recs = evidence(out);
      const late = recs.filter((r) => Date.parse(r.t) > killedAt + 200);
      expect(late.map((r) => `seq ${r.seq} at ${r.t}: ${r.text}`), `killed at ${new Date(killedAt).toISOString()}`).toEqual([]);
      const outstanding = planned(recs).filter((r) => !doneIds(recs).has(r.attrs!.restoration!.plan!.id));
      expect(outstanding.length).toBeGreaterThan(0);
      const plan = outstanding[0]!.attrs!.restoration!.plan!;
      expect(plan.point).toBe('heaterSetpoint');
      expect(Math.round(plan.original * 10)).toBe(before);

      // The rebuilt report is PARTIAL, lists what may still be changed, and keeps the run's provenance.
      const r = await hil(['report', out], env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('PARTIAL run');
      expect(r.stdout).toMatch(/outstanding restorations[^\n]*\n\s+heaterSetpoint on /);
      const summary = readFileSync(join(out, 'summary.md'), 'utf8');
      expect(summary).toContain('**Outstanding restorations**');
      expect(summary).toMatch(/heaterSetpoint on \S+: original 45 °C, not restored/);
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Outstanding restorations');
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { run: { partial?: boolean; harnessVersion: string; host: { hostname: string } }; outstandingRestorations?: { point: string; id: string }[] };
      expect(report.run.partial).toBe(true);
      // report.json itself names what is still changed on the device, for tools that read only it.
      expect(report.outstandingRestorations?.map((o) => o.point)).toContain('heaterSetpoint');
      expect(report.outstandingRestorations?.[0]?.id).toBe(plan.id);
      expect(report.run.harnessVersion).not.toBe('unknown');
      expect(report.run.host.hostname).not.toBe('unknown');
      const v0 = await hil(['verify', out], env);
      expect(v0.code, v0.stdout).toBe(4);
      expect(v0.stdout).toMatch(/outstanding restorations/);

      // hil restore replays it over the profile's interfaces; Modbus reads the original back.
      const rs = await hil(['restore', out, '--target', join(targets, 'sim-weak.yaml')], env);
      expect(rs.code, rs.stdout + rs.stderr).toBe(0);
      expect(rs.stdout).toMatch(/^restored heaterSetpoint on \S+ to 45 °C/m);
      expect(await readSetpoint()).toBe(before);
      const restoreLog = /evidence: (\S+)/.exec(rs.stdout)![1]!;
      expect(existsSync(restoreLog)).toBe(true);
      expect(readFileSync(restoreLog, 'utf8')).toContain('"state":"done"');

      // The result verifies: every file signed, both chains intact, nothing left outstanding; still a partial run.
      const v = await hil(['verify', out], env);
      expect(v.code, v.stdout).toBe(4);
      expect(v.stdout).toMatch(/^PARTIAL .*partial run, ends at seq \d+/m);
      expect(v.stdout).toContain('no outstanding restorations');
      expect(readFileSync(join(out, 'summary.md'), 'utf8')).not.toContain('Outstanding restorations');
      expect((JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { outstandingRestorations?: unknown }).outstandingRestorations).toBeUndefined();
      // A second restore has nothing to do.
      expect((await hil(['restore', out, '--target', join(targets, 'sim-weak.yaml')], env)).stdout).toContain('no outstanding restorations');
    } finally {
      await sim.sim.stop();
    }
  }, 240_000);
});
