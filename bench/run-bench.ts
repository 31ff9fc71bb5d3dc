/**
 * `npm run bench` — measures every figure of issue 7 against its reference in one run on this machine
 * and writes bench/results/latest.{md,json} (median of repetitions, min–max). Benchmarks report; they
 * do not assert: the exit code is non-zero only when a figure could not be measured at all.
 *
 *   npm run bench                       full run (5 repetitions; suite and fleet at most 3), ~10 min on 2 cores
 *   npm run bench:smoke                 CI smoke: 1 repetition, small port range, short storm, fleet of 1 (< 60 s)
 *   tsx bench/run-bench.ts --only 1,3   only some figures (issue item numbers)
 *   options: --reps N, --out DIR (default bench/results; smoke default bench/results/smoke), --keep (keep scratch dir)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchFleet } from './fleet.bench.js';
import { benchModbusRate } from './modbus-rate.bench.js';
import { benchMonitorFidelity } from './monitor-fidelity.bench.js';
import { benchPortScan } from './port-scan.bench.js';
import { machineInfo, renderMarkdown, writeReport, type BenchReport, type BenchRow } from './report-table.js';
import { benchStartup } from './startup.bench.js';
import { benchSuiteTime } from './suite-time.bench.js';
import { ensureSimSecrets, repoRoot, scratchDir, type BenchOptions, type FigureResult } from './support.js';

export interface Figure {
  item: number;
  name: string;
  run: (o: BenchOptions) => Promise<FigureResult>;
}

/** In issue order, except start-up first: it is the most sensitive to a machine warmed up by the others. */
export const FIGURES: Figure[] = [
  { item: 6, name: 'start-up', run: benchStartup },
  { item: 1, name: 'port scan', run: benchPortScan },
  { item: 2, name: 'Modbus request rate', run: benchModbusRate },
  { item: 3, name: 'monitor fidelity', run: benchMonitorFidelity },
  { item: 4, name: 'suite time', run: benchSuiteTime },
  { item: 5, name: 'fleet', run: benchFleet },
];

export interface RunBenchArgs {
  smoke: boolean;
  reps?: number;
  only?: number[];
  out?: string;
  keep?: boolean;
}

export function parseArgs(argv: string[]): RunBenchArgs {
  const a: RunBenchArgs = { smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i]!;
    if (v === '--smoke') a.smoke = true;
    else if (v === '--keep') a.keep = true;
    else if (v === '--reps') a.reps = Number(argv[++i]);
    else if (v === '--out') a.out = argv[++i];
    else if (v === '--only') a.only = argv[++i]!.split(',').map(Number);
    else throw new Error(`unknown option ${v} (see bench/run-bench.ts)`);
  }
  if (a.reps !== undefined && (!Number.isInteger(a.reps) || a.reps < 1)) throw new Error('--reps expects a positive integer');
  return a;
}

export async function runBench(args: RunBenchArgs): Promise<BenchReport> {
  ensureSimSecrets();
  // node-opcua's console chatter would drown the progress lines.
  process.env.NODEOPCUA_LOG_LEVEL ??= '3';
  const t0 = performance.now();
  const workDir = scratchDir();
  const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  const o: BenchOptions = { smoke: args.smoke, reps: args.reps ?? (args.smoke ? 1 : 5), workDir, log };
  const rows: BenchRow[] = [];
  const problems: string[] = [];
  try {
    for (const f of FIGURES) {
      if (args.only && !args.only.includes(f.item)) continue;
      log(`${f.item}. ${f.name} …`);
      const ft = performance.now();
      try {
        const r = await f.run(o);
        rows.push(...r.rows);
        problems.push(...r.problems);
      } catch (e) {
        // One broken figure must not cost the others: record it and go on.
        problems.push(`${f.name}: not measured: ${(e as Error).message.split('\n')[0]}`);
        log(`${f.name} failed: ${(e as Error).stack ?? e}`);
      }
      log(`${f.item}. ${f.name} done in ${((performance.now() - ft) / 1000).toFixed(1)} s`);
    }
  } finally {
    if (!args.keep) rmSync(workDir, { recursive: true, force: true });
    else log(`scratch directory kept: ${workDir}`);
  }
  rows.sort((a, b) => a.item - b.item);
  return {
    date: new Date().toISOString(),
    mode: args.smoke ? 'smoke' : 'full',
    machine: machineInfo(),
    durationS: (performance.now() - t0) / 1000,
    rows,
    problems,
  };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('run-bench.ts')) {
  const args = parseArgs(process.argv.slice(2));
  const report = await runBench(args);
  const out = args.out ?? join(repoRoot, 'bench', 'results', args.smoke ? 'smoke' : '');
  writeReport(report, join(out, 'latest.md'), join(out, 'latest.json'));
  process.stdout.write(`\n${renderMarkdown(report)}\nwritten: ${join(out, 'latest.md')}, ${join(out, 'latest.json')}\n`);
  const missing = report.rows.filter((r) => !r.hil || r.hil.n === 0).length;
  // Force the exit: a stray handle (a socket in TIME_WAIT cleanup, a timer in a library) must not hang CI.
  process.exit(report.rows.length === 0 || missing > 0 || report.problems.some((p) => / not measured: /.test(p)) ? 1 : 0);
}
