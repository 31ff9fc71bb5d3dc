import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerDiff(program: Command, setExit: SetExitCode): void {
  program
    .command('diff')
    .description('what changed between two runs of the same target (verdict flips, ports, lockout timing, range reactions); exit 1 on any regression')
    .argument('<dirA>', 'baseline run directory (e.g. firmware N)')
    .argument('<dirB>', 'new run directory (e.g. firmware N+1)')
    .option('--json', 'print the diff as JSON')
    .action(async (a: string, b: string, opts: { json?: boolean }) => {
      const { readReport } = await import('../../../reports/runs/load-run.js');
      const { diffReports, formatDiff } = await import('../../../reports/runs/diff-runs.js');
      const ra = readReport(a);
      const rb = readReport(b);
      if (!ra) throw new Error(`${a}: no report.json (run hil report ${a} first)`);
      if (!rb) throw new Error(`${b}: no report.json (run hil report ${b} first)`);
      const d = diffReports(ra, rb);
      process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : `${formatDiff(d)}\n`);
      setExit(d.regressions > 0 ? 1 : 0);
    });
}
