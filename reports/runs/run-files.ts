import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** File names of a run directory (the contract in design.md). */
export const RUN_FILES = {
  report: 'report.json',
  evidence: 'evidence.jsonl',
  junit: 'junit.xml',
  html: 'report.html',
  summary: 'summary.md',
  pcap: 'traffic.pcapng',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  /** The run as an in-toto attestation (DSSE envelope), signed alongside the manifest. */
  attestation: 'run.intoto.jsonl',
} as const;

/** Every regular file under `dir`, as POSIX relative paths, sorted (so manifests are deterministic). */
export function listFilesRecursive(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
