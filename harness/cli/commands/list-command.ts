import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerList(program: Command, _setExit: SetExitCode): void {
  program
    .command('list')
    .description('list the scenarios with their requirement references and the checks each makes')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { loadCatalog } = await import('../../../scenarios/catalog.js');
      // Loaded here, not at the top: it pulls in every protocol module (mqtt, serialport), which `hil --help` must not pay for.
      const { describeInterfaces } = await import('../../runner/scenario-applicability.js');
      const catalog = await loadCatalog();
      const rows = catalog.map(({ def }) => ({
        id: def.id,
        title: def.title,
        interfaces: Array.isArray(def.interfaces) ? def.interfaces : describeInterfaces(def),
        changesState: def.changesState,
        requirements: def.requirements,
        checks: def.checks ?? [],
      }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      for (const r of rows) {
        process.stdout.write(`${r.id}  ${r.title}${r.changesState ? '  [changes device state]' : ''}\n`);
        process.stdout.write(`    interfaces: ${Array.isArray(r.interfaces) ? r.interfaces.join(', ') : r.interfaces}\n    requirements: ${r.requirements.join(', ')}\n`);
        if (r.checks.length) process.stdout.write(`    checks:\n${r.checks.map((c) => `      - ${c}\n`).join('')}`);
      }
    });
}
