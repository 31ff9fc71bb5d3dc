import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

/** `hil verify` exit codes: each outcome its own, so a script can tell them apart. */
export const VERIFY_EXIT = { ok: 0, failed: 1, usage: 2, untrusted: 3, partial: 4 } as const;

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerVerify(program: Command, setExit: SetExitCode): void {
  program
    .command('verify')
    .description(
      'check every digest, the manifest signature (by a trusted key), the evidence hash chain and its seal, and that the reports state the verdicts the evidence records; ' +
        'exit 0 all hold, 1 something does not, 3 valid signature by an untrusted key, 4 partial run (no seal)',
    )
    .argument('<dir>', 'run directory')
    .option('--pubkey <file>', 'PEM public key to trust (repeatable); also trusted: ~/.config/hil/trusted/*.pem ($HIL_CONFIG_DIR/trusted), $HIL_TRUSTED_KEYS, the lab key', collect)
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: { pubkey?: string[]; json?: boolean }) => {
      if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
      const { loadTrustedKeys } = await import('../../../reports/signing/trust-store.js');
      const { verifyRunDirectory, formatProblem } = await import('../../../reports/signing/verify-run.js');
      const trusted = loadTrustedKeys({ pubkeys: opts.pubkey ?? [] });
      const r = verifyRunDirectory(dir, { trusted });
      const code = r.problems.length ? VERIFY_EXIT.failed : r.untrusted ? VERIFY_EXIT.untrusted : r.partial ? VERIFY_EXIT.partial : VERIFY_EXIT.ok;
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...r, exitCode: code }, null, 2)}\n`);
      else {
        const out = (s: string) => process.stdout.write(`${s}\n`);
        for (const w of r.warnings) out(`warning: ${w}`);
        const untrustedLine = r.untrusted
          ? `signed by key ${r.untrusted.fingerprint}, not by the trusted key${r.untrusted.trusted.length === 1 ? '' : 's'}${r.untrusted.trusted.length ? ` (${r.untrusted.trusted.join(', ')})` : ' (none configured: pass --pubkey FILE with the lab\'s published key)'}`
          : undefined;
        if (r.problems.length) {
          out(`FAILED ${dir}: ${formatProblem(r.problems[0]!)}`);
          for (const p of r.problems.slice(1)) out(`  also: ${formatProblem(p)}`);
          if (untrustedLine) out(`  also: ${untrustedLine}`);
        } else if (untrustedLine) {
          out(`UNTRUSTED ${dir}: the signature is valid, but ${untrustedLine}`);
        } else {
          const nested = r.checked.nested.length ? `, nested: ${r.checked.nested.join(', ')}` : '';
          const head = r.partial ? `PARTIAL ${dir}: partial run, ends at seq ${r.partial.endsAtSeq} (no seal); what it holds is intact:` : `OK ${dir}:`;
          out(`${head} ${r.checked.files} files match ${r.checked.listing}, signature by ${r.checked.signer} (trusted: ${r.checked.trustedAs}), ${r.checked.records} evidence records chained${r.partial ? '' : ' and sealed'}, verdicts match the evidence${nested}`);
        }
        if (r.outstanding.length) {
          out(`outstanding restorations (the device may still be changed; hil restore ${dir} --target FILE):`);
          for (const o of r.outstanding) out(`  ${o.point} on ${o.path}: original ${o.original}${o.unit ? ` ${o.unit}` : ''} (seq ${o.seq}: ${o.how})`);
        } else if (r.partial) out('no outstanding restorations');
      }
      setExit(code);
    });
}
