/**
 * Shared plumbing of the bench modules: the options every figure gets, timing of child commands,
 * peak RSS of a process tree from /proc, an evidence context for channel calls, and the simulator
 * child process (bench/helpers/sim-child.ts) that keeps the device off the bench's event loop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelContext } from '../harness/protocols/transport/channel.js';
import { EvidenceLog } from '../harness/evidence/evidence-log.js';
import type { BenchRow } from './report-table.js';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const hilBin = join(repoRoot, 'bin', 'hil.js');

export interface BenchOptions {
  smoke: boolean;
  /** Repetitions per figure (full: several; smoke: 1). */
  reps: number;
  /** Scratch directory of this bench run (run directories, evidence, the built C reference). */
  workDir: string;
  log: (msg: string) => void;
}

/** What a figure module returns: its rows, and problems that kept a figure (or its reference) from being measured. */
export interface FigureResult {
  rows: BenchRow[];
  problems: string[];
}

export function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, bin);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A throw-away evidence log: the channels insist on one, and the bench keeps it under workDir for inspection. */
export function benchChannelCtx(workDir: string, name: string): ChannelContext {
  const dir = mkdtempSync(join(workDir, `${name}-`));
  return { evidence: new EvidenceLog(dir, `bench-${name}`) };
}

export function scratchDir(prefix = 'hil-bench-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CmdResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Run a command to completion and time it from spawn to exit (the wall time a user waits). */
export function runTimed(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, wallMs: performance.now() - t0 });
    });
  });
}

// ---------------------------------------------------------------- process-tree memory

function childrenMap(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Field 4 (ppid) comes after the parenthesised command, which may itself contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = kids.get(ppid) ?? [];
      list.push(Number(d));
      kids.set(ppid, list);
    } catch {
      /* exited meanwhile */
    }
  }
  return kids;
}

function memKiB(pid: number): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  try {
    // smaps_rollup has both: Rss counts shared pages in every process, Pss splits them among sharers.
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    rss = Number(/^Rss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
    pss = Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
  } catch {
    /* exited meanwhile, or no smaps_rollup */
  }
  return { rss, pss };
}

/** Summed RSS and PSS (MiB) of `root` and all its descendants right now. */
export function treeMemMiB(root: number): { rss: number; pss: number } {
  const kids = childrenMap();
  let rss = 0;
  let pss = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const m = memKiB(p);
    rss += m.rss;
    pss += m.pss;
    stack.push(...(kids.get(p) ?? []));
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

/**
 * Samples the memory of a process tree every `periodMs` and keeps the peaks. Summed RSS counts shared
 * pages (node's binary, libraries) once per process: the conservative "how much RAM must the lab
 * machine have" figure. Summed PSS shares them out and is the closer estimate of real use.
 */
export function startRssSampler(root: number, periodMs = 100): { stop(): { rss: number; pss: number } } {
  const peak = { rss: 0, pss: 0 };
  const take = () => {
    const m = treeMemMiB(root);
    peak.rss = Math.max(peak.rss, m.rss);
    peak.pss = Math.max(peak.pss, m.pss);
  };
  take();
  const t = setInterval(take, periodMs);
  return {
    stop: () => {
      clearInterval(t);
      return { ...peak };
    },
  };
}

// ---------------------------------------------------------------- simulator in a child process

export interface SimChild {
  child: ChildProcess;
  endpoints: { modbusTcp: string; fieldMonitor: string; host: string; [k: string]: unknown };
  targetEnv: Record<string, string>;
  base: number;
  /** Modbus TCP requests the simulator's main server has handled so far (counted inside the simulator). */
  modbusCount(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Start a hardened simulator (in its own port block) in a child process, so that the load generator
 * under test and the device do not share one event loop, as on a real bench. The child counts the
 * Modbus TCP requests its server handles (server-side rate) and answers `count` over IPC.
 */
export async function startSimChild(opts: { opcua?: boolean; profile?: string } = {}): Promise<SimChild> {
  const helper = fileURLToPath(new URL('./helpers/sim-child.ts', import.meta.url));
  const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsx, helper, opts.profile ?? 'hardened', opts.opcua ? 'opcua' : 'no-opcua'], {
    cwd: repoRoot,
    // stdout carries the ready line (also sent over IPC); stderr shows simulator trouble.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: process.env,
  });
  const ready = await new Promise<{ endpoints: SimChild['endpoints']; targetEnv: Record<string, string>; base: number }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('simulator child did not become ready in 60 s')), 60_000);
    child.once('exit', (c) => reject(new Error(`simulator child exited (${c}) before ready`)));
    child.on('message', (m: { type: string } & Record<string, unknown>) => {
      if (m.type === 'ready') {
        clearTimeout(t);
        resolve(m as never);
      }
    });
  });
  let seq = 0;
  return {
    child,
    ...ready,
    modbusCount: () =>
      new Promise<number>((resolve, reject) => {
        const id = ++seq;
        const t = setTimeout(() => reject(new Error('simulator child did not answer count')), 10_000);
        const on = (m: { type: string; id: number; count: number }) => {
          if (m.type !== 'count' || m.id !== id) return;
          clearTimeout(t);
          child.off('message', on);
          resolve(m.count);
        };
        child.on('message', on);
        child.send({ type: 'count', id });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Quick synchronous check that a command runs (used to decide whether a reference tool is present). */
export function commandWorks(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** Simulator passwords for the bench: the in-process and child simulators and the target profiles read these. */
export function ensureSimSecrets(): Record<string, string> {
  process.env.HIL_SIM_ADMIN_PASSWORD ??= 'Bench-Admin-Pass#2024';
  process.env.HIL_SIM_OPERATOR_PASSWORD ??= 'Bench-Oper-Pass#2024';
  return { HIL_SIM_ADMIN_PASSWORD: process.env.HIL_SIM_ADMIN_PASSWORD, HIL_SIM_OPERATOR_PASSWORD: process.env.HIL_SIM_OPERATOR_PASSWORD };
}

// ---------------------------------------------------------------- fleets and resolved target files

export interface FleetChild {
  sims: { base: number; targetEnv: Record<string, string> }[];
  stop(): Promise<void>;
}

/** N hardened simulators (no OPC UA) in one child process (bench/helpers/sim-fleet.ts). */
export async function startSimFleet(n: number): Promise<FleetChild> {
  const helper = fileURLToPath(new URL('./helpers/sim-fleet.ts', import.meta.url));
  const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsx, helper, String(n)], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: process.env });
  const sims = await new Promise<FleetChild['sims']>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`simulator fleet of ${n} did not start in 120 s`)), 120_000);
    child.once('exit', (c) => reject(new Error(`simulator fleet exited (${c}) before ready`)));
    child.on('message', (m: { type: string; sims: FleetChild['sims'] }) => {
      if (m.type === 'ready') {
        clearTimeout(t);
        resolve(m.sims);
      }
    });
  });
  return {
    sims,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * `hil run` takes one environment for all its targets, but every simulator of a fleet has its own
 * ports: write one target file per simulator with its values put in place of the ${HIL_SIM_*}
 * placeholders (an empty value keeps the placeholder, as the loader would fall back to the default),
 * and a distinct name so each gets its own run directory.
 */
export function resolvedTargetFile(template: string, targetEnv: Record<string, string>, name: string, outFile: string): string {
  const text = readFileSync(template, 'utf8')
    .replace(/\$\{(HIL_SIM_[A-Z0-9_]+)(:-[^}]*)?\}/g, (m, v: string) => (targetEnv[v] ? targetEnv[v] : m))
    .replace(/^name:.*$/m, `name: ${name}`);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  return outFile;
}
