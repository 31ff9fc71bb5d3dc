import { join } from 'node:path';
import type { Command } from 'commander';
import { newRunId } from '../../runner/run-id.js';
import { formatMs, verdictLabel, verdictMatrix } from '../verdict-table.js';
import type { SetExitCode } from '../exit-code.js';

export function registerDemo(program: Command, setExit: SetExitCode): void {
  program
    .command('demo')
    .description('start the simulators (hardened and weak, each in its own process, each with an upstream broker), run the full suite against both, print the verdict matrix')
    .option('--out <dir>', 'where the run directories and the simulator logs go (default runs/demo-<run-id>)')
    .option('--no-opcua', 'leave OPC UA out (faster start)')
    .option('--hostile', 'run the suite against the hostile simulator instead (targets/sim-hostile.yaml): nothing may PASS or FAIL')
    .option('--embedded-broker', 'use the embedded upstream broker (aedes) even when Mosquitto is installed')
    .option('--scenario <id>', 'run only this scenario; repeatable', (v: string, p: string[] = []) => [...p, v])
    .action(async (opts: { out?: string; opcua: boolean; hostile?: boolean; embeddedBroker?: boolean; scenario?: string[] }) => {
      const { runDemo } = await import('../../demo/run-demo.js');
      const out = opts.out ?? join('runs', `demo-${newRunId()}`);
      const t0 = Date.now();
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      try {
        process.stdout.write(`hil demo: simulators ${opts.hostile ? 'hostile' : 'hardened + weak'}, output in ${out}\n`);
        const res = await runDemo({
          out,
          opcua: opts.opcua,
          hostile: opts.hostile,
          ...(opts.embeddedBroker ? { upstream: 'aedes' as const } : {}),
          scenarioIds: opts.scenario,
          signal: ac.signal,
          onStatus: (line) => process.stdout.write(`hil demo: ${line}\n`),
          onProgress: (e) => {
            const at = formatMs(Date.now() - t0).padStart(8);
            if (e.event === 'result') process.stdout.write(`${at}  [${e.target}] ${verdictLabel(e.verdict as never).padEnd(7)} ${e.scenario} — ${e.reason}\n`);
          },
        });
        process.stdout.write(`\n${verdictMatrix(res.reports)}\n\n`);
        for (const d of res.runDirs) process.stdout.write(`report: ${join(d, 'report.html')}\n        ${join(d, 'report.json')}\n`);
        process.stdout.write(`logs:   ${res.logFiles.join('\n        ')}\n`);
        process.stdout.write(`\nhil demo took ${formatMs(Date.now() - t0)}.\n`);
        const expected = opts.hostile
          ? 'As expected: against the hostile simulator nothing passed or failed (every check ERROR, INCONCLUSIVE or N/A) and nothing hung.'
          : 'As expected: the hardened simulator passes every check and the weak one fails each for its reason.';
        process.stdout.write(res.asExpected ? `\n${expected}\n` : `\nUNEXPECTED (see the reports):\n${res.unexpected.map((u) => `  ${u}`).join('\n')}\n`);
        setExit(res.asExpected ? 0 : 1);
      } finally {
        process.off('SIGINT', stop);
      }
    });
}
