/**
 * The TCP port step: nmap as the engine where installed (parallel slices, SYN scan as root, its XML
 * attached as evidence), the built-in connect scanner (port-probe.ts) as the fallback when nmap is
 * missing or fails, and as the cross-check: every port nmap reports open is connected to again, and
 * a port that does not accept a connection is reported as an error (INCONCLUSIVE for the audit)
 * rather than silently trusted or dropped.
 */
import { z } from 'zod';
import { ChannelError, type ChannelContext } from '../transport/channel.js';
import { scanTcp, parsePorts, type PortState, type ScanOptions, type ScanResult } from './port-probe.js';
import { findNmap, scanTcpWithNmap } from './nmap-scan.js';

/** HIL_SCAN_ENGINE: auto (nmap when installed), nmap (required), builtin (never nmap). */
const engineSchema = z.enum(['auto', 'nmap', 'builtin']).default('auto');
export type ScanEngine = z.infer<typeof engineSchema>;

export interface PortStepResult extends ScanResult {
  /** Which engine decided the states: 'nmap -sS', 'nmap -sT' or 'builtin connect'. */
  engine: string;
  /** Why nmap was not used, when it was not. */
  fallback?: string;
}

const CODE: Record<PortState, number> = { open: 1, closed: 2, filtered: 3 };
const NAMES = ['unknown', 'open', 'closed', 'filtered', 'error'] as const;

export function scanEngineFromEnv(env: NodeJS.ProcessEnv = process.env): ScanEngine {
  const r = engineSchema.safeParse(env.HIL_SCAN_ENGINE || undefined);
  if (!r.success) throw new ChannelError('setup', `HIL_SCAN_ENGINE must be auto, nmap or builtin (got "${env.HIL_SCAN_ENGINE}")`);
  return r.data;
}

/** Scans `ports` on `host` with the best engine available; same result shape as scanTcp. */
export async function scanTcpPorts(host: string, ports: number[] | string, opts: ScanOptions & { engine?: ScanEngine }, ctx: ChannelContext): Promise<PortStepResult> {
  const engine = opts.engine ?? scanEngineFromEnv();
  const list = parsePorts(ports);
  const signal = AbortSignal.any([ctx.signal, opts.signal].filter((s): s is AbortSignal => !!s));
  let why: string | undefined;
  if (engine !== 'builtin' && findNmap()) {
    const t0 = Date.now();
    // The probe starts now (nmap's packets leave as it starts), not when its report is read.
    ctx.evidence.append({ channel: 'probe', protocol: 'network', dir: 'event', text: `tcp scan ${host}: ${list.length} ports with nmap`, attrs: { engine: 'nmap', scanned: list.length } });
    try {
      const n = await scanTcpWithNmap(host, list, { timeoutMs: opts.timeoutMs ?? 1000, concurrency: opts.concurrency ?? 512, signal });
      return await fromNmap(host, list, n, t0, opts, ctx);
    } catch (e) {
      const ce = e as ChannelError;
      if (ce.kind === 'aborted' || signal.aborted) throw new ChannelError('aborted', `TCP scan of ${host} cancelled`);
      if (engine === 'nmap') throw e;
      why = `nmap failed: ${ce.message}`;
    }
  } else why = engine === 'builtin' ? 'built-in scanner asked for (HIL_SCAN_ENGINE=builtin)' : 'nmap not installed';
  if (engine === 'nmap') throw new ChannelError('setup', `HIL_SCAN_ENGINE=nmap but ${why}`);
  ctx.evidence.append({ channel: 'probe', protocol: 'network', dir: 'event', text: `tcp scan ${host}: built-in connect scanner (${why})`, attrs: { engine: 'builtin connect', fallback: why } });
  const r = await scanTcp(host, list, opts, ctx);
  return Object.assign(r, { engine: 'builtin connect', fallback: why });
}

async function fromNmap(
  host: string,
  list: number[],
  n: Awaited<ReturnType<typeof scanTcpWithNmap>>,
  t0: number,
  opts: ScanOptions,
  ctx: ChannelContext,
): Promise<PortStepResult> {
  const engine = `nmap ${n.technique}`;
  const states = new Uint8Array(65536);
  const open: number[] = [];
  const filtered: number[] = [];
  let closed = 0;
  for (const p of list) {
    const s = n.states.get(p)!;
    states[p] = CODE[s];
    if (s === 'open') open.push(p);
    else if (s === 'closed') closed++;
    else filtered.push(p);
  }
  const nmapMs = Date.now() - t0;
  n.slices.forEach((s, i) => ctx.evidence.attach(`nmap-tcp-${host.replace(/[^0-9A-Za-z]/g, '_')}-${t0}-${i + 1}.xml`, s.xml, 'application/xml'));
  // Cross-check with the built-in scanner: a port nmap calls open must accept a connection.
  const errors: Array<{ port: number; code: string }> = [];
  if (open.length) {
    const check = await scanTcp(host, open, { timeoutMs: opts.timeoutMs, concurrency: opts.concurrency, signal: opts.signal }, ctx);
    for (const p of open) {
      if (check.state(p) === 'open') continue;
      errors.push({ port: p, code: `CROSSCHECK_${(check.state(p) ?? 'unknown').toUpperCase()}` });
      states[p] = 4;
    }
  }
  const confirmed = open.filter((p) => states[p] === 1);
  const elapsedMs = Date.now() - t0;
  ctx.evidence.append({
    channel: 'probe',
    protocol: 'network',
    dir: 'event',
    text: `tcp scan ${host} (${engine}, ${n.slices.length} parallel): ${list.length} ports, ${confirmed.length} open, ${closed} closed, ${filtered.length} filtered${errors.length ? `, ${errors.length} not confirmed by connect` : ''} in ${elapsedMs} ms (nmap ${nmapMs} ms)`,
    attrs: {
      host,
      engine,
      scanned: list.length,
      open: confirmed,
      closed,
      filteredCount: filtered.length,
      filtered: filtered.slice(0, 1000),
      errors: errors.slice(0, 100),
      nmapArgs: n.slices.map((s) => s.args.join(' ').slice(0, 500)),
      nmapMs,
      elapsedMs,
    },
  });
  return {
    host,
    scanned: list.length,
    open: confirmed,
    closed,
    filtered,
    errors,
    elapsedMs,
    engine,
    state: (port) => {
      const s = NAMES[states[port] ?? 0];
      return s === 'unknown' ? undefined : s;
    },
  };
}
