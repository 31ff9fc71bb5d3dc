import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIM_SECRETS } from '../support/scenario-harness.js';

export const HIL = join(import.meta.dirname, '../../bin/hil.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `hil ...` as a real process, bounded by `timeoutMs`. */
export function hil(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [HIL, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Start `hil sim` and wait for its one JSON ready line. */
export function startSimProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; ready: Record<string, unknown>; stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [HIL, 'sim', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`hil sim not ready in 30 s: ${err}`));
    }, 30_000);
    proc.stderr.on('data', (d) => (err += d));
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(t);
      const ready = JSON.parse(out.slice(0, nl)) as Record<string, unknown>;
      const stop = () =>
        new Promise<number | null>((res) => {
          if (proc.exitCode !== null) return res(proc.exitCode);
          proc.once('close', (code) => res(code));
          proc.kill('SIGTERM');
        });
      resolve({ proc, ready, stop });
    });
    proc.on('close', (code) => {
      clearTimeout(t);
      reject(new Error(`hil sim exited ${code}: ${err}`));
    });
  });
}

/** Environment for a `hil` process aimed at a simulator: its addresses, its passwords, a throw-away lab key dir. */
export function cliEnv(simTargetEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...simTargetEnv,
    HIL_SIM_ADMIN_PASSWORD: SIM_SECRETS[0],
    HIL_SIM_OPERATOR_PASSWORD: SIM_SECRETS[1],
    HIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'hil-cfg-')),
  };
}
