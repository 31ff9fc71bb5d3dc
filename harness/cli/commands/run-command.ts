import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ProgressEvent } from '../../runner/progress-event.js';
import { newRunId } from '../../runner/run-id.js';
import type { SetExitCode } from '../exit-code.js';
import { formatMs, verdictLabel, verdictMatrix } from '../verdict-table.js';

interface RunOpts {
  target: string[];
  scenario?: string[];
  out?: string;
  shard?: string;
  parallel: number;
  key?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** One progress line per scenario start and verdict, with the time since the run began. */
function printProgress(t0: number): (e: ProgressEvent & { target: string }) => void {
  return (e) => {
    const at = formatMs(Date.now() - t0).padStart(8);
    if (e.event === 'start') process.stdout.write(`${at}  [${e.target}] ▶ ${e.scenario}\n`);
    else if (e.event === 'result')
      process.stdout.write(`${at}  [${e.target}] ${verdictLabel(e.verdict as never).padEnd(7)} ${e.scenario} (${formatMs(e.durationMs)}) — ${e.reason}\n`);
    else process.stdout.write(`${at}  [${e.target}] CRASH ${e.scenario}: ${e.message}\n`);
  };
}

export function registerRun(program: Command, setExit: SetExitCode): void {
  program
    .command('run')
    .description('run the scenario library against one or more targets')
    .requiredOption('--target <file>', 'target profile (YAML); repeat for several devices', collect)
    .option('--scenario <id>', 'run only this scenario; repeatable', collect)
    .option('--out <dir>', 'run directory (default runs/<run-id>)')
    .option('--shard <i/n>', 'run shard i of n (the i-th of n contiguous parts of the scenario order)')
    .option('--parallel <n>', 'targets tested at once', (v) => Number.parseInt(v, 10), 1)
    .option('--key <file>', 'Ed25519 lab key (PEM) for signing the manifest')
    .action(async (opts: RunOpts) => {
      if (opts.shard && !/^\d+\/\d+$/.test(opts.shard)) throw new Error(`--shard expects i/n, got "${opts.shard}"`);
      // The scenario host starts loading now, beside the validation below (it sends nothing until it gets a job).
      const { prewarmScenarioHost } = await import('../../runner/scenario-host-pool.js');
      prewarmScenarioHost(process.env);
      const { runTargets } = await import('../run-targets.js');
      // core/verdict loads zod (100-300 ms): only a verb that runs pays for it, not `hil --help`.
      const { exitCodeFor } = await import('../../core/verdict.js');
      const out = opts.out ?? join('runs', newRunId());
      const ac = new AbortController();
      // Every target's job listens for the cancel: a fleet of 16 is 16 listeners, not a leak.
      setMaxListeners(0, ac.signal);
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const { reports, runDirs } = await runTargets(opts.target, {
          out,
          scenario: opts.scenario,
          shard: opts.shard,
          parallel: opts.parallel,
          key: opts.key,
          signal: ac.signal,
          onProgress: printProgress(Date.now()),
        });
        process.stdout.write(`\n${verdictMatrix(reports)}\n\n`);
        for (const d of runDirs) process.stdout.write(`run directory: ${d}\n`);
        setExit(exitCodeFor(reports.flatMap((r) => r.results.map((x) => x.verdict))));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
