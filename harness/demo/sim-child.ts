/**
 * A simulator in its own process for `hil demo`: `hil sim` as a child, on a free block of 1000
 * ports, ready when it prints its one JSON line. Everything else it writes (node-opcua's and the
 * other libraries' log lines, its own stderr notes) goes to a log file in the run directory, never
 * to the terminal. stop() ends it (SIGTERM, SIGKILL after a grace period) whatever happened; the
 * demo process kills it on exit too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../core/module-tree.js';
import { freePortBlock } from './free-port-block.js';
import { SIM_BLOCK, SIM_PORT_OFFSETS } from './sim-in-block.js';
import { simTargetEnv, type SimEndpointsLike } from './sim-target-env.js';

export interface SimChild {
  profile: string;
  base: number;
  pid: number;
  endpoints: SimEndpointsLike;
  /** Environment that points targets/sim-<profile>.yaml at this simulator. */
  targetEnv: Record<string, string>;
  logFile: string;
  stop(): Promise<void>;
}

export interface SimChildOptions {
  profile: 'hardened' | 'weak' | 'hostile';
  opcua: boolean;
  /** Where the library log goes. */
  logFile: string;
  /** The simulator's upstream broker address (the fault proxy's). */
  upstreamUrl?: string;
  preferredBase?: number;
  avoid?: number[];
  env: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

const hilBin = join(repoRoot, 'bin', 'hil.js');
const STOP_GRACE_MS = 10_000;
/** Nice value of the simulator processes (the harness's sampler thread asks for -10). */
const SIM_NICE = -5;

export async function startSimChild(opts: SimChildOptions): Promise<SimChild> {
  const host = '127.0.0.1';
  for (let attempt = 0; ; attempt++) {
    // Blocks stay below 32768, where Linux starts handing out ephemeral ports.
    const preferred = [opts.preferredBase, ...Array.from({ length: 8 }, () => 20_000 + SIM_BLOCK * Math.floor(Math.random() * 12))]
      .filter((b): b is number => b !== undefined && !(opts.avoid ?? []).includes(b));
    const base = await freePortBlock(host, SIM_BLOCK, Object.values(SIM_PORT_OFFSETS), preferred);
    try {
      return await spawnSim(opts, base);
    } catch (e) {
      // Another process may have taken a port between the check and the bind: try another block.
      if (attempt >= 3 || !/EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
}

async function spawnSim(opts: SimChildOptions, base: number): Promise<SimChild> {
  const ptyDir = mkdtempSync(join(tmpdir(), `hil-demo-${opts.profile}-`));
  const args = [hilBin, 'sim', '--profile', opts.profile, '--base-port', String(base), '--pty-dir', ptyDir];
  if (!opts.opcua) args.push('--no-opcua');
  if (opts.upstreamUrl) args.push('--upstream', opts.upstreamUrl);
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`--- hil sim --profile ${opts.profile} --base-port ${base} (${new Date().toISOString()})\n`);
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The simulator stands in for a gateway with a CPU of its own: on a shared bench machine it runs
  // ahead of ordinary processes where allowed (root), so the load of the harness and of other jobs
  // does not become the simulated device's behaviour. Without the right it runs at normal priority.
  try { setPriority(child.pid!, SIM_NICE); } catch { /* not allowed */ }
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('close', () => { process.off('exit', killOnExit); log.end(); resolve(); }));

  let endpoints: SimEndpointsLike;
  try {
    endpoints = await readyLine(child, log, opts.readyTimeoutMs ?? 120_000);
  } catch (e) {
    await stopChild(child, exited);
    const tail = readTail(opts.logFile);
    throw new Error(`${(e as Error).message}${tail ? `; its log (${opts.logFile}) ends:\n${tail}` : ''}`);
  }
  return {
    profile: opts.profile,
    base,
    pid: child.pid!,
    endpoints,
    targetEnv: simTargetEnv(endpoints, `${base}-${base + SIM_BLOCK - 1}`),
    logFile: opts.logFile,
    stop: () => stopChild(child, exited),
  };
}

/** The first stdout line that is the ready JSON; every other stdout line goes to the log. */
function readyLine(child: ChildProcess, log: NodeJS.WritableStream, timeoutMs: number): Promise<SimEndpointsLike> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let ready = false;
    const t = setTimeout(() => reject(new Error(`simulator did not print its ready line within ${timeoutMs} ms`)), timeoutMs);
    child.once('close', (code, sig) => { clearTimeout(t); if (!ready) reject(new Error(`simulator exited (${code ?? sig}) before it was ready`)); });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!ready && line.startsWith('{')) {
          try {
            const j = JSON.parse(line) as { ready?: boolean } & SimEndpointsLike;
            if (j.ready) {
              ready = true;
              clearTimeout(t);
              resolve(j);
              continue;
            }
          } catch { /* not the ready line */ }
        }
        log.write(line + '\n');
      }
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(force);
  }
  await exited;
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-8).join('\n');
  } catch {
    return '';
  }
}
