import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerKey(program: Command, setExit: SetExitCode): void {
  const key = program.command('key').description('the lab signing key');
  key
    .command('export')
    .description("print the lab's public key (PEM) and its fingerprint, for the lab to publish; checkers pass it to hil verify --pubkey or put it in ~/.config/hil/trusted/")
    .option('--key <path>', 'lab signing key (Ed25519 PEM); default $HIL_LAB_KEY or ~/.config/hil/lab-key.pem, generated on first use')
    .option('--out <file>', 'also write the public key PEM to this file')
    .action(async (opts: { key?: string; out?: string }) => {
      const { loadLabKey } = await import('../../../reports/signing/lab-key.js');
      const k = loadLabKey(opts.key);
      if (k.generated) process.stderr.write(`generated lab key ${k.path}\n`);
      // The comment line before the PEM block is ignored by PEM readers, so the output can be saved as it is.
      process.stdout.write(`# hil lab key ${k.path}\n# fingerprint (SHA-256 of the SPKI DER): ${k.fingerprint}\n${k.publicKeyPem}`);
      if (opts.out) writeFileSync(opts.out, k.publicKeyPem);
      setExit(0);
    });
}
