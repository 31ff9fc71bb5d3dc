import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Tests that check a format against its real consumer (tshark, Chromium, python's XML parser).
 * Missing tool: in CI that is a failure with the install hint; locally the test is skipped with the reason printed.
 */
export function toolAvailable(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

export function requireTool(cmd: string, hint: string, args?: string[]): { skip: boolean } {
  if (toolAvailable(cmd, args)) return { skip: false };
  if (process.env.CI) return { skip: false }; // let the test run and fail on the missing tool
  console.warn(`skipping: ${cmd} not found (${hint})`);
  return { skip: true };
}

export function assertTool(cmd: string, hint: string, args?: string[]): void {
  if (!toolAvailable(cmd, args)) throw new Error(`${cmd} is required for this test in CI but was not found: ${hint}`);
}

export function tempRunDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `hil-${label}-`));
}

/** Isolated config dir so tests never create or use a key under the home directory. */
export function testEnv(): NodeJS.ProcessEnv {
  return { ...process.env, HIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'hil-cfg-')), HIL_LAB_KEY: undefined };
}
