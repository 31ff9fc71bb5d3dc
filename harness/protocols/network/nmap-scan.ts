/**
 * nmap as the TCP scan engine: the field's own tool, whose XML report labs recognise. nmap is
 * single-threaded, so the port list is cut into contiguous slices, one nmap process per core, all
 * running at once. As root it sends raw SYNs (-sS: no full handshake, no socket per port on this
 * side); otherwise it connects (-sT). Timing follows the profile: the per-probe deadline bounds
 * nmap's round-trip timeout, one retransmission is allowed and the profile's concurrency is nmap's
 * minimum parallelism, so a silent device costs at most twice the built-in scanner's worst case
 * instead of nmap's default of ten retries at a slowly growing parallelism.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { isIPv6 } from 'node:net';
import { ChannelError } from '../transport/channel.js';
import { compressRanges, parseNmapTcpXml, type NmapPortState } from './nmap-xml.js';

export interface NmapScanOptions {
  /** Per-probe deadline (ms): nmap's maximum round-trip timeout. */
  timeoutMs: number;
  /** Probes in flight at least, over all slices (the profile's concurrency): bounds a filtered device's scan. */
  concurrency?: number;
  /** Parallel nmap processes (default: the cores, at most 4, shared with the scans already running: slicesFor). */
  slices?: number;
  signal?: AbortSignal;
  /** nmap binary (default: found on PATH). */
  bin?: string;
}

export interface NmapSlice {
  args: string[];
  xml: string;
  elapsedMs: number;
}

export interface NmapScanResult {
  states: Map<number, NmapPortState>;
  /** '-sS' (raw SYN, root) or '-sT' (connect). */
  technique: '-sS' | '-sT';
  slices: NmapSlice[];
}

/** Below this many ports one nmap process is quicker than starting several. */
const SPLIT_MIN_PORTS = 4096;
const MAX_SLICES = 4;

export function findNmap(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'nmap');
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** nmap scans of this process running now (a fleet scans many devices at once). */
let scansInFlight = 0;

/**
 * nmap processes for one scan: the cores divided among the scans running at once, at least one.
 * Slicing only pays when cores are idle; with a scan per device already on every core, more slices
 * only add nmap start-ups and process spawns (tens of ms each, in a large process, on its event loop).
 */
export function slicesFor(cores: number, scansRunning: number): number {
  return Math.max(1, Math.floor(Math.min(MAX_SLICES, cores) / Math.max(1, scansRunning)));
}

/** Contiguous slices of a sorted port list, as even as possible. */
export function slicePorts(sorted: readonly number[], slices: number): number[][] {
  const n = Math.max(1, Math.min(slices, sorted.length));
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(sorted.slice(Math.floor((i * sorted.length) / n), Math.floor(((i + 1) * sorted.length) / n)));
  return out.filter((s) => s.length > 0);
}

export function nmapArgs(host: string, ports: readonly number[], technique: '-sS' | '-sT', timeoutMs: number, minParallel?: number): string[] {
  const rtt = `${Math.max(50, Math.round(timeoutMs))}ms`;
  return [
    technique,
    ...(isIPv6(host) ? ['-6'] : []),
    '-n',
    '-Pn',
    '--max-retries',
    '1',
    '--initial-rtt-timeout',
    rtt,
    '--max-rtt-timeout',
    rtt,
    ...(minParallel ? ['--min-parallelism', `${minParallel}`] : []),
    '-p',
    compressRanges(ports),
    '-oX',
    '-',
    host,
  ];
}

function runSlice(bin: string, args: string[], signal: AbortSignal | undefined): Promise<NmapSlice> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let xml = '';
    let err = '';
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (xml += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new ChannelError('setup', `nmap could not start: ${e.message}`));
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(new ChannelError('aborted', 'nmap scan cancelled'));
      if (code !== 0) return reject(new ChannelError('setup', `nmap exited ${code}: ${err.trim().slice(0, 300)}`));
      resolve({ args, xml, elapsedMs: performance.now() - t0 });
    });
  });
}

/** Scans `ports` (sorted, unique) on `host` with parallel nmap processes; throws ChannelError when nmap cannot give every port a state. */
export async function scanTcpWithNmap(host: string, ports: readonly number[], opts: NmapScanOptions): Promise<NmapScanResult> {
  const bin = opts.bin ?? findNmap();
  if (!bin) throw new ChannelError('setup', 'nmap not installed');
  scansInFlight++;
  try {
    return await scanSlices(bin, host, ports, opts, opts.slices ?? slicesFor(availableParallelism(), scansInFlight));
  } finally {
    scansInFlight--;
  }
}

async function scanSlices(bin: string, host: string, ports: readonly number[], opts: NmapScanOptions, cores: number): Promise<NmapScanResult> {
  const technique = process.getuid?.() === 0 ? '-sS' : '-sT';
  const parts = slicePorts(ports, ports.length < SPLIT_MIN_PORTS ? 1 : cores);
  // One aborts all: a failed slice must not leave its siblings scanning.
  const ac = new AbortController();
  const onOuter = () => ac.abort();
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  if (opts.signal?.aborted) ac.abort();
  const minParallel = opts.concurrency ? Math.ceil(opts.concurrency / parts.length) : undefined;
  // allSettled: on failure every sibling has exited (killed) before this returns, none is left behind.
  const settled = await Promise.allSettled(
    parts.map((p) =>
      runSlice(bin, nmapArgs(host, p, technique, opts.timeoutMs, minParallel), ac.signal).catch((e: unknown) => {
        ac.abort();
        throw e;
      }),
    ),
  );
  opts.signal?.removeEventListener('abort', onOuter);
  if (opts.signal?.aborted) throw new ChannelError('aborted', `nmap scan of ${host} cancelled`);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && (s.reason as ChannelError).kind !== 'aborted');
  if (failed) throw failed.reason;
  const slices = settled.map((s) => (s as PromiseFulfilledResult<NmapSlice>).value);
  const states = new Map<number, NmapPortState>();
  for (const s of slices) {
    const r = parseNmapTcpXml(s.xml);
    if (r.finished !== 'success') throw new ChannelError('setup', `nmap report not finished (${r.errorMessage ?? r.finished})`);
    for (const [p, st] of r.states) states.set(p, st);
  }
  const missing = ports.filter((p) => !states.has(p));
  if (missing.length) throw new ChannelError('setup', `nmap gave no state for ${missing.length} ports (first ${missing.slice(0, 5).join(', ')}): report without per-port ranges`);
  return { states, technique, slices };
}
