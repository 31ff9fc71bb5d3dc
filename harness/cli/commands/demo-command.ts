import { join } from 'node:path';
import type { Command } from 'commander';
import { newRunId } from '../../runner/run-id.js';
import { formatMs, verdictLabel, verdictMatrix } from '../verdict-table.js';
import type { SetExitCode } from '../exit-code.js';

export function registerDemo(program: Command, setExit: SetExitCode): void {
  program
    .command('demo')
    .description('start the simulator (hardened and weak) in-process, run the full suite against both, print the verdict matrix')
    .option('--out <dir>', 'where the two run directories go (default runs/demo-<run-id>)')
    .option('--no-opcua', 'leave OPC UA out (faster start)')
    .option('--scenario <id>', 'run only this scenario; repeatable', (v: string, p: string[] = []) => [...p, v])
    .action(async (opts: { out?: string; opcua: boolean; scenario?: string[] }) => {
      const { runDemo } = await import('../../demo/run-demo.js');
      const out = opts.out ?? join('runs', `demo-${newRunId()}`);
      const t0 = Date.now();
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      try {
        process.stdout.write(`hil demo: simulators hardened + weak, output in ${out}\n`);
        const res = await runDemo({
          out,
          opcua: opts.opcua,
          scenarioIds: opts.scenario,
          signal: ac.signal,
          onProgress: (e) => {
            const at = formatMs(Date.now() - t0).padStart(8);
            if (e.event === 'result') process.stdout.write(`${at}  [${e.target}] ${verdictLabel(e.verdict as never).padEnd(7)} ${e.scenario} — ${e.reason}\n`);
          },
        });
        process.stdout.write(`\n${verdictMatrix(res.reports)}\n\n`);
        for (const d of res.runDirs) process.stdout.write(`report: ${join(d, 'report.html')}\n        ${join(d, 'report.json')}\n`);
        process.stdout.write(
          res.asExpected
            ? '\nAs expected: the hardened simulator passes every check and the weak one fails.\n'
            : '\nUNEXPECTED: the hardened simulator should pass every check and the weak one should fail some; see the reports.\n',
        );
        setExit(res.asExpected ? 0 : 1);
      } finally {
        process.off('SIGINT', stop);
      }
    });
}
