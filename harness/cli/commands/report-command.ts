import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerReport(program: Command, setExit: SetExitCode): void {
  program
    .command('report')
    .description('re-render report.json, junit.xml, report.html, summary.md, traffic.pcapng and the signed manifest of a run directory; every verdict is taken from evidence.jsonl')
    .argument('<dir>', 'run directory')
    .option('--key <path>', 'lab signing key (Ed25519 PEM); default $HIL_LAB_KEY or ~/.config/hil/lab-key.pem, generated on first use')
    .action(async (dir: string, opts: { key?: string }) => {
      const { renderRunDirectory } = await import('../../../reports/runs/render-run.js');
      const r = renderRunDirectory(dir, { keyPath: opts.key });
      const out = process.stdout;
      if (r.report.run.partial) out.write(`PARTIAL run: the evidence has no seal and ends at seq ${r.lastSeq ?? 'none'}\n`);
      if (r.key.generated) out.write(`generated lab key ${r.key.path}\n`);
      out.write(`${dir}: ${r.report.target.name} ${r.report.summary.overall}${r.report.run.partial ? ' (partial run)' : ''}, ${r.report.results.length} scenarios, ${r.packets} packets\n`);
      for (const c of r.corrected)
        out.write(`report.json said ${c.reported} for scenario ${c.scenarioId}; ${c.evidence === 'none' ? 'the evidence has no such scenario: dropped' : `the evidence records ${c.evidence}: rendered as ${c.evidence}`}\n`);
      if (r.reportRewritten) out.write('report.json rebuilt from evidence.jsonl\n');
      if (r.outstanding.length) {
        out.write(`outstanding restorations (the device may still be changed; run hil restore ${dir} --target FILE):\n`);
        for (const o of r.outstanding) out.write(`  ${o.point} on ${o.path}: original ${o.original}${o.unit ? ` ${o.unit}` : ''} (seq ${o.seq}: ${o.how})\n`);
      }
      out.write(`signed by ${r.key.fingerprint}\n`);
      if (r.decodeAs.length) out.write(`decode with: tshark -r ${dir}/traffic.pcapng ${r.decodeAs.map((d) => `-d tcp.port==${d.port},${d.protocol}`).join(' ')}\n`);
      setExit(0);
    });
}
