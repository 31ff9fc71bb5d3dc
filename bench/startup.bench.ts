/**
 * Figure 6 — start-up: `hil --help` wall time, and `hil run` time to its first probe of the device
 * (process spawn → first evidence record that is not the harness's own, i.e. the first byte or
 * connection towards the target), for the port-closure scenario against a simulator.
 * Every `hil` process of the measurement gets bench/helpers/loaded-modules.cjs preloaded, which
 * reports at exit whether node-opcua (or mqtt / modbus-serial) was loaded: protocol libraries, OPC UA
 * especially, should load only when a scenario needs them, and neither of these does.
 *
 * `hil` runs its compiled tree (bin/compiled-tree.js) when it is fresh; the notes say which tree ran.
 * References, same run: `node` with an empty program (the floor of any Node CLI) for --help;
 * `hil --help` for the first probe, so the ratio shows what the runner and its scenario host add
 * on top of the CLI's start-up.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compiledTreeFresh } from '../bin/compiled-tree.js';
import type { BenchRow } from './report-table.js';
import { summarize } from './stats.js';
import { ensureSimSecrets, hilBin, repoRoot, resolvedTargetFile, runTimed, startSimFleet, type BenchOptions, type FigureResult } from './support.js';

interface Loaded {
  argv: string;
  opcua: number;
  mqtt: boolean;
  modbus: boolean;
}

function readLoaded(file: string): Loaded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Loaded);
}

/** ms from `t0` (epoch ms) to the first evidence record towards the device. */
export function firstProbeMs(evidenceFile: string, t0: number): number {
  for (const line of readFileSync(evidenceFile, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { channel: string; t: string };
    if (r.channel !== 'harness') return Date.parse(r.t) - t0;
  }
  return Number.NaN;
}

export async function benchStartup(o: BenchOptions): Promise<FigureResult> {
  const problems: string[] = [];
  const helpReps = o.smoke ? 2 : 10;
  const runReps = o.smoke ? 1 : Math.max(3, o.reps);
  const loadedFile = join(o.workDir, 'loaded-modules.jsonl');
  const preload = join(repoRoot, 'bench/helpers/loaded-modules.cjs');
  const env = {
    ...process.env,
    ...ensureSimSecrets(),
    HIL_BENCH_LOADED: loadedFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(),
  };

  const tree = compiledTreeFresh() ? 'compiled tree' : 'TypeScript sources through tsx (compiled tree missing or stale)';
  const help: number[] = [];
  const floor: number[] = [];
  rmSync(loadedFile, { force: true });
  for (let i = 0; i < helpReps; i++) {
    const h = await runTimed(process.execPath, [hilBin, '--help'], { env });
    if (h.code !== 0) problems.push(`start-up: hil --help exited ${h.code}`);
    help.push(h.wallMs);
    const f = await runTimed(process.execPath, ['-e', '0'], { env: { ...process.env } });
    floor.push(f.wallMs);
  }
  const helpLoaded = readLoaded(loadedFile);

  const fleet = await startSimFleet(1);
  const first: number[] = [];
  const total: number[] = [];
  let runLoaded: Loaded[] = [];
  try {
    const target = resolvedTargetFile(join(repoRoot, 'targets/sim-hardened.yaml'), fleet.sims[0]!.targetEnv, 'sim-hardened', join(o.workDir, 'startup', 'target.yaml'));
    rmSync(loadedFile, { force: true });
    for (let i = 0; i < runReps; i++) {
      const out = join(o.workDir, 'startup', `run-${i}`);
      const t0 = Date.now();
      const r = await runTimed(process.execPath, [hilBin, 'run', '--target', target, '--scenario', 'port-closure', '--out', out], { env });
      total.push(r.wallMs);
      if (r.code !== 0) problems.push(`start-up: hil run exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
      first.push(firstProbeMs(join(out, 'evidence.jsonl'), t0));
    }
    runLoaded = readLoaded(loadedFile);
  } finally {
    await fleet.stop();
  }

  const opcuaIn = (ls: Loaded[]) => (ls.length === 0 ? 'unknown (no report)' : ls.some((l) => l.opcua > 0) ? `YES (${ls.filter((l) => l.opcua > 0).map((l) => l.argv.split('/').pop()).join(', ')})` : 'no');
  const libsIn = (ls: Loaded[]) => `mqtt ${ls.some((l) => l.mqtt) ? 'yes' : 'no'}, modbus-serial ${ls.some((l) => l.modbus) ? 'yes' : 'no'}`;
  const helpM = { ...summarize(help), unit: 'ms' };
  const floorM = { ...summarize(floor), unit: 'ms' };
  const firstM = { ...summarize(first), unit: 'ms' };
  const rows: BenchRow[] = [
    {
      id: 'startup.help',
      item: 6,
      figure: '`hil --help` wall time',
      hil: helpM,
      referenceName: 'node, empty program',
      reference: floorM,
      ratio: helpM.median / floorM.median,
      ratioMeaning: 'hil / floor',
      repetitions: helpReps,
      notes: `${tree}; OPC UA loaded: ${opcuaIn(helpLoaded)}; ${libsIn(helpLoaded)}`,
    },
    {
      id: 'startup.first-probe',
      item: 6,
      figure: '`hil run` time to first probe (port-closure)',
      hil: firstM,
      referenceName: '`hil --help` (CLI start-up)',
      reference: helpM,
      ratio: firstM.median / helpM.median,
      ratioMeaning: 'first probe / CLI start',
      repetitions: runReps,
      notes: `${tree}; spawn → first non-harness evidence record; whole run ${Math.round(summarize(total).median)} ms; OPC UA loaded in any hil process: ${opcuaIn(runLoaded)} (${runLoaded.length} processes reported)`,
    },
  ];
  return { rows, problems };
}
