import { join } from 'node:path';
import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerRestore(program: Command, setExit: SetExitCode): void {
  program
    .command('restore')
    .description('put back what a killed run left changed on the device: replays its outstanding restorations (write the original value, read it back), with evidence of its own, then re-signs the run directory; exit 0 when nothing is left outstanding')
    .argument('<dir>', 'run directory')
    .requiredOption('--target <file>', 'target profile (YAML) of the device the run tested')
    .option('--key <path>', 'lab signing key (Ed25519 PEM); default $HIL_LAB_KEY or ~/.config/hil/lab-key.pem')
    .action(async (dir: string, opts: { target: string; key?: string }) => {
      const { prepareTarget } = await import('../prepared-target.js');
      const { readEvidence, RunDirError } = await import('../../../reports/runs/load-run.js');
      const { reportFromEvidence } = await import('../../../reports/runs/partial-report.js');
      const { outstandingInRun, RESTORE_DIR } = await import('../../../reports/runs/restore-logs.js');
      const { renderRunDirectory } = await import('../../../reports/runs/render-run.js');
      const { replayRestorations } = await import('../../runner/restore-points.js');
      const { newRunId } = await import('../../runner/run-id.js');
      const out = (s: string) => process.stdout.write(`${s}\n`);

      // The profile is checked (schema, secrets) and matched to the run before anything is sent.
      const target = prepareTarget(opts.target);
      const ev = readEvidence(dir);
      if (!ev.records.length) throw new RunDirError(`${dir}: no evidence.jsonl records: not a run directory`);
      const run = reportFromEvidence(ev.records, ev.lines);
      if (run.target.name !== target.profile.name) throw new RunDirError(`${dir}: the run tested target ${run.target.name}, not ${target.profile.name} (${opts.target})`);
      const outstanding = outstandingInRun(dir, ev.records);
      if (!outstanding.length) {
        out(`${dir}: no outstanding restorations`);
        return setExit(0);
      }
      const id = `restore-${newRunId()}`;
      const evidenceDir = join(dir, RESTORE_DIR, id);
      const outcomes = await replayRestorations(outstanding, target, target.secrets, { dir: evidenceDir, id, ofRun: run.run.id });
      for (const o of outcomes) out(`${o.restored ? 'restored' : 'NOT RESTORED'} ${o.plan.point} on ${o.plan.path} to ${o.plan.original}${o.plan.unit ? ` ${o.plan.unit}` : ''}: ${o.detail}`);
      out(`evidence: ${join(evidenceDir, 'evidence.jsonl')}`);
      // Reports list only what is still outstanding; the manifest now covers the restore's evidence.
      const rendered = renderRunDirectory(dir, { keyPath: opts.key, redactor: target.secrets.redactor });
      out(`signed by ${rendered.key.fingerprint}`);
      setExit(outcomes.every((o) => o.restored) ? 0 : 1);
    });
}
