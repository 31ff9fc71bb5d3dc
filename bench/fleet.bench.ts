/**
 * Figure 5 — fleet: 1, 4 and 16 simulated gateways tested concurrently by one `hil run --parallel N`
 * on this machine: wall time and the peak memory of hil's whole process tree (the CLI and its
 * scenario hosts, at most one per core, each running many targets; summed RSS sampled from /proc every 100 ms). The simulators run in a separate
 * process (bench/helpers/sim-fleet.ts) and are not counted: they stand for the devices.
 *
 * Scenarios: a fast subset that needs no lockout or fault waits (FLEET_SCENARIOS, those present in
 * the catalog), so the figure is about the harness's concurrency, not the devices' timers. OPC UA is
 * off in the simulators (and so N/A in the targets) to keep 16 simulators within reason on 2 cores.
 *
 * Reference, measured in the same run: one gateway's wall time (the goal: a fleet of 16 within 2× of
 * it); the notes give the share of testing the gateways one after another (N × one gateway). Memory:
 * the fleet's peak against N × one gateway's, and the peak per extra gateway.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow } from './report-table.js';
import { round, summarize } from './stats.js';
import { ensureSimSecrets, hilBin, repoRoot, resolvedTargetFile, startRssSampler, startSimFleet, type BenchOptions, type FigureResult } from './support.js';
import { spawn } from 'node:child_process';

export const FLEET_SCENARIOS = ['unauthenticated-access', 'secure-channel', 'port-closure'] as const;

interface FleetRun {
  wallS: number;
  peakMiB: number;
  peakPssMiB: number;
  code: number | null;
  verdicts: string[];
}

function runHil(args: string[], env: NodeJS.ProcessEnv): Promise<FleetRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [hilBin, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const rss = startRssSampler(child.pid!, 100);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => {
      const peak = rss.stop();
      resolve({ wallS: (performance.now() - t0) / 1000, peakMiB: peak.rss, peakPssMiB: peak.pss, code, verdicts: out.split('\n').filter((l) => /run directory:/.test(l)) });
    });
  });
}

/** Verdicts from each target's report.json under the run's out dir (one sub-directory per target when N > 1). */
function collectVerdicts(out: string): string[] {
  const dirs = existsSync(join(out, 'report.json')) ? [out] : readdirSync(out).map((d) => join(out, d));
  const v: string[] = [];
  for (const d of dirs) {
    const f = join(d, 'report.json');
    if (!existsSync(f)) continue;
    const r = JSON.parse(readFileSync(f, 'utf8')) as { results: { verdict: string }[] };
    v.push(...r.results.map((x) => x.verdict));
  }
  return v;
}

export async function benchFleet(o: BenchOptions): Promise<FigureResult> {
  const problems: string[] = [];
  const sizes = o.smoke ? [1] : [1, 4, 16];
  const reps = o.smoke ? 1 : Math.min(o.reps, 3);
  const scenarios = FLEET_SCENARIOS.filter((s) => existsSync(join(repoRoot, 'scenarios', `${s}.scenario.ts`)));
  const env = { ...process.env, ...ensureSimSecrets(), NODEOPCUA_LOG_LEVEL: '3' };
  const results = new Map<number, { wall: number[]; peak: number[]; pss: number[] }>();
  for (const n of sizes) {
    const fleet = await startSimFleet(n);
    const wall: number[] = [];
    const peak: number[] = [];
    const pss: number[] = [];
    try {
      const files = fleet.sims.map((s, k) => resolvedTargetFile(join(repoRoot, 'targets/sim-hardened.yaml'), s.targetEnv, `sim-hardened-${k + 1}`, join(o.workDir, `fleet-${n}`, `target-${k + 1}.yaml`)));
      for (let i = 0; i < reps; i++) {
        const out = join(o.workDir, `fleet-${n}`, `run-${i}`);
        const args = ['run', ...files.flatMap((f) => ['--target', f]), ...scenarios.flatMap((s) => ['--scenario', s]), '--parallel', String(n), '--out', out];
        const r = await runHil(args, env);
        wall.push(r.wallS);
        peak.push(r.peakMiB);
        pss.push(r.peakPssMiB);
        const verdicts = collectVerdicts(out);
        const bad = verdicts.filter((v) => v !== 'PASS' && v !== 'NOT_APPLICABLE');
        if (r.code !== 0 || verdicts.length !== n * scenarios.length || bad.length)
          problems.push(`fleet ${n} rep ${i + 1}: exit ${r.code}, ${verdicts.length}/${n * scenarios.length} results, non-passing: ${bad.join(', ') || 'none'}`);
      }
    } finally {
      await fleet.stop();
    }
    results.set(n, { wall, peak, pss });
  }
  const one = results.get(1)!;
  const oneWall = summarize(one.wall).median;
  const onePeak = summarize(one.peak).median;
  const rows: BenchRow[] = [];
  for (const n of sizes) {
    const r = results.get(n)!;
    const w = { ...summarize(r.wall), unit: 's' };
    const m = { ...summarize(r.peak), unit: 'MiB' };
    const serial = n > 1;
    rows.push({
      id: `fleet.${n}.wall`,
      item: 5,
      figure: `Fleet of ${n}: wall time, \`hil run --parallel ${n}\``,
      hil: w,
      // The goal compares the fleet with one gateway's run (≤ 2×); testing them one after another would take N × that.
      ...(serial ? { referenceName: 'one gateway, `hil run` of the same scenarios', reference: { ...summarize(one.wall), unit: 's' }, ratio: w.median / oneWall, ratioMeaning: `fleet of ${n} / one gateway` } : {}),
      repetitions: reps,
      notes: `scenarios: ${scenarios.join(', ')}; simulators without OPC UA, in a separate process${serial ? `; ${round(w.median / (oneWall * n))} of testing them one after another (N × one gateway)` : ''}`,
    });
    rows.push({
      id: `fleet.${n}.rss`,
      item: 5,
      figure: `Fleet of ${n}: peak memory of hil's process tree`,
      hil: m,
      ...(serial ? { referenceName: `${n} × the 1-gateway peak`, reference: { ...summarize(one.peak.map((x) => x * n)), unit: 'MiB' }, ratio: m.median / (onePeak * n), ratioMeaning: 'fleet / N × single' } : {}),
      repetitions: reps,
      notes: `summed RSS of the CLI and its scenario workers, sampled every 100 ms; summed PSS peak ${Math.round(summarize(r.pss).median)} MiB`,
    });
  }
  const last = sizes[sizes.length - 1]!;
  if (last > 1) {
    // What one more gateway costs: the slope between the smallest and the largest fleet.
    const slope = (summarize(results.get(last)!.peak).median - onePeak) / (last - 1);
    rows.push({
      id: 'fleet.rss-per-target',
      item: 5,
      figure: 'Fleet: peak memory per extra gateway',
      hil: { median: slope, min: slope, max: slope, n: 1, unit: 'MiB' },
      repetitions: reps,
      notes: `(peak of ${last} − peak of 1) / ${last - 1}; the shared part (node, loader, protocol libraries) is paid once per scenario host`,
    });
  }
  return { rows, problems };
}
