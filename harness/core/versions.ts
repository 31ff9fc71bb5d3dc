import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './module-tree.js';

const require = createRequire(import.meta.url);

/** Version of this harness, from package.json. */
export function harnessVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Versions of the protocol libraries actually installed, for report.json provenance. */
export function libraryVersions(): Record<string, string> {
  const names = ['serialport', 'modbus-serial', 'mqtt', 'aedes', 'node-opcua', 'vitest', 'zod', 'testcontainers'];
  const out: Record<string, string> = { node: process.version };
  for (const n of names) {
    try {
      out[n] = (require(`${n}/package.json`) as { version: string }).version;
    } catch {
      // not installed or not exported: left out rather than guessed
    }
  }
  return out;
}
