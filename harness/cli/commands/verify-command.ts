import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerVerify(program: Command, setExit: SetExitCode): void {
  program
    .command('verify')
    .description('check every digest, the manifest signature and the evidence hash chain of a run directory; exit 0 only when all hold')
    .argument('<dir>', 'run directory')
    .option('--pubkey <file>', 'PEM public key the signature must come from (default: the key recorded in manifest.json)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: { pubkey?: string; json?: boolean }) => {
      if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
      if (opts.pubkey && !existsSync(opts.pubkey)) throw new Error(`${opts.pubkey}: no such file`);
      const { verifyRunDirectory, formatProblem } = await import('../../../reports/signing/verify-run.js');
      const r = verifyRunDirectory(dir, { trustedPublicKeyPem: opts.pubkey ? readFileSync(opts.pubkey, 'utf8') : undefined });
      if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        for (const w of r.warnings) process.stdout.write(`warning: ${w}\n`);
        if (r.ok) {
          process.stdout.write(`OK ${dir}: ${r.checked.files} files match manifest.json, signature by ${r.checked.signer}, ${r.checked.records} evidence records chained${r.checked.nested.length ? `, nested: ${r.checked.nested.join(', ')}` : ''}\n`);
        } else {
          process.stdout.write(`FAILED ${dir}: ${formatProblem(r.problems[0]!)}\n`);
          for (const p of r.problems.slice(1)) process.stdout.write(`  also: ${formatProblem(p)}\n`);
        }
      }
      setExit(r.ok ? 0 : 1);
    });
}
