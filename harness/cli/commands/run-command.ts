import { join } from 'node:path';
import type { Command } from 'commander';
import type { Report } from '../../core/result-schema.js';
import { exitCodeFor } from '../../core/verdict.js';
import { newRunId } from '../../runner/run-id.js';
import { prepareTarget, runTarget } from '../../runner/run-target.js';
import { formatMs, verdictLabel, verdictMatrix } from '../verdict-table.js';
import type { SetExitCode } from './index.js';

interface RunOpts {
  target: string[];
  scenario?: string[];
  out?: string;
  shard?: string;
  parallel: number;
  key?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Run several targets with at most `parallel` at once (each target is its own device). */
export async function runTargets(
  files: string[],
  o: { out: string; scenario?: string[]; shard?: string; parallel: number; key?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; quiet?: boolean },
): Promise<{ reports: Report[]; runDirs: string[] }> {
  // Validate every profile and secret before anything is sent to any device.
  const loaded = files.map((f) => prepareTarget(f, o.env));
  const single = files.length === 1;
  const t0 = Date.now();
  const reports: Report[] = new Array(files.length);
  const runDirs: string[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const name = loaded[i]!.profile.name;
      const runDir = single ? o.out : join(o.out, name);
      const r = await runTarget({
        targetFile: files[i]!,
        runDir,
        scenarioIds: o.scenario,
        shard: o.shard,
        env: o.env,
        signal: o.signal,
        keyPath: o.key,
        onProgress: (e) => {
          if (o.quiet) return;
          const at = formatMs(Date.now() - t0).padStart(8);
          if (e.event === 'start') process.stdout.write(`${at}  [${e.target}] ▶ ${e.scenario}\n`);
          else if (e.event === 'result')
            process.stdout.write(`${at}  [${e.target}] ${verdictLabel(e.verdict as never).padEnd(7)} ${e.scenario} (${formatMs(e.durationMs)}) — ${e.reason}\n`);
          else process.stdout.write(`${at}  [${e.target}] CRASH ${e.scenario}: ${e.message}\n`);
        },
      });
      reports[i] = r.report;
      runDirs[i] = r.runDir;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, files.length)) }, worker));
  return { reports, runDirs };
}

export function registerRun(program: Command, setExit: SetExitCode): void {
  program
    .command('run')
    .description('run the scenario library against one or more targets')
    .requiredOption('--target <file>', 'target profile (YAML); repeat for several devices', collect)
    .option('--scenario <id>', 'run only this scenario; repeatable', collect)
    .option('--out <dir>', 'run directory (default runs/<run-id>)')
    .option('--shard <i/n>', 'run shard i of n (passed to vitest)')
    .option('--parallel <n>', 'targets tested at once', (v) => Number.parseInt(v, 10), 1)
    .option('--key <file>', 'Ed25519 lab key (PEM) for signing the manifest')
    .action(async (opts: RunOpts) => {
      if (opts.shard && !/^\d+\/\d+$/.test(opts.shard)) throw new Error(`--shard expects i/n, got "${opts.shard}"`);
      const out = opts.out ?? join('runs', newRunId());
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const { reports, runDirs } = await runTargets(opts.target, { out, scenario: opts.scenario, shard: opts.shard, parallel: opts.parallel, key: opts.key, signal: ac.signal });
        process.stdout.write(`\n${verdictMatrix(reports)}\n\n`);
        for (const d of runDirs) process.stdout.write(`run directory: ${d}\n`);
        setExit(exitCodeFor(reports.flatMap((r) => r.results.map((x) => x.verdict))));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
