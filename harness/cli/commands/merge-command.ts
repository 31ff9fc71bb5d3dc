import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerMerge(program: Command, setExit: SetExitCode): void {
  program
    .command('merge')
    .description('combine run directories of several shards or benches into one signed run directory (one per target)')
    .argument('<dirs...>', 'run directories')
    .requiredOption('--out <dir>', 'output directory (must not exist or be empty)')
    .option('--key <path>', 'lab signing key (Ed25519 PEM); default $HIL_LAB_KEY or ~/.config/hil/lab-key.pem')
    .action(async (dirs: string[], opts: { out: string; key?: string }) => {
      const { mergeRunDirectories } = await import('../../../reports/runs/merge-runs.js');
      const r = mergeRunDirectories(dirs, opts.out, { keyPath: opts.key });
      for (const t of r.targets) process.stdout.write(`${t.dir}: ${t.name} ${t.report.summary.overall}, ${t.report.results.length} scenarios from ${dirs.length} source(s)\n`);
      process.stdout.write(`signed by ${r.key.fingerprint}\n`);
      setExit(0);
    });
}
