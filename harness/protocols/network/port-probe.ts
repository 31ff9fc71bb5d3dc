/**
 * TCP connect scan (open / closed / filtered per port, bounded sockets in flight), banner grab, and a
 * UDP probe that decides only when the protocol (or ICMP) answers. Evidence: one summary record per
 * scan plus one record per open port (never one per closed port); banner/UDP bytes as tx/rx.
 */
import { createSocket } from 'node:dgram';
import { isIPv6, Socket } from 'node:net';
import type { EndpointPair } from '../../evidence/evidence-record.js';
import { readBanner, type BannerRead } from '../transport/banner.js';
import { ByteTransport } from '../transport/byte-transport.js';
import { abortKind, ChannelError, nextConnId, opSignal, printable, type ChannelContext, type OpOptions } from '../transport/channel.js';

export type PortState = 'open' | 'closed' | 'filtered';

export interface ScanOptions {
  /** Sockets in flight at most (default 512). */
  concurrency?: number;
  /** Per-connect deadline (ms, default 1000): no answer = filtered. */
  timeoutMs?: number;
  /** Cancels the whole scan (throws ChannelError 'aborted'). */
  signal?: AbortSignal;
}

export interface ScanResult {
  host: string;
  scanned: number;
  open: number[];
  closed: number;
  filtered: number[];
  /** Ports that could not be probed (local resource errors such as EMFILE after retries). */
  errors: Array<{ port: number; code: string }>;
  state(port: number): PortState | 'error' | undefined;
  elapsedMs: number;
}

/** "1-65535", "22,80,443", "1-1024,8080" or a list of numbers → sorted unique ports. */
export function parsePorts(spec: number[] | string): number[] {
  const out = new Set<number>();
  const add = (p: number) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new ChannelError('setup', `port out of range: ${p}`);
    out.add(p);
  };
  if (Array.isArray(spec)) spec.forEach(add);
  else
    for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m) throw new ChannelError('setup', `bad port spec: ${part}`);
      const a = Number(m[1]);
      const b = m[2] !== undefined ? Number(m[2]) : a;
      if (b < a) throw new ChannelError('setup', `bad port range: ${part}`);
      for (let p = a; p <= b; p++) add(p);
    }
  return [...out].sort((x, y) => x - y);
}

const RETRYABLE = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'EAGAIN']);
const FILTERED = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EACCES', 'EPERM']);

/** TCP connect scan of `ports` on `host`. */
export async function scanTcp(host: string, ports: number[] | string, opts: ScanOptions, ctx: ChannelContext): Promise<ScanResult> {
  const list = parsePorts(ports);
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 512, 8192));
  const timeoutMs = opts.timeoutMs ?? 1000;
  const cancel = [ctx.signal, opts.signal].filter((s): s is AbortSignal => !!s);
  const t0 = Date.now();
  const states = new Uint8Array(65536); // 0 unknown, 1 open, 2 closed, 3 filtered, 4 error
  const open: number[] = [];
  const errors: Array<{ port: number; code: string }> = [];
  const inflight = new Set<Socket>();
  const retries = new Map<number, number>();
  const queue = list.slice().reverse(); // pop() from the end = ascending order
  let cancelled = false;

  await new Promise<void>((resolve) => {
    let active = 0;
    const onCancel = () => {
      cancelled = true;
      for (const s of inflight) s.destroy();
      inflight.clear();
      resolve();
    };
    for (const s of cancel) {
      if (s.aborted) return onCancel();
      s.addEventListener('abort', onCancel, { once: true });
    }
    const finish = () => {
      for (const s of cancel) s.removeEventListener('abort', onCancel);
      resolve();
    };
    const pump = () => {
      if (cancelled) return;
      while (active < concurrency && queue.length) probe(queue.pop()!);
      if (active === 0 && queue.length === 0) finish();
    };
    const probe = (port: number) => {
      active++;
      const sock = new Socket();
      inflight.add(sock);
      let settled = false;
      const done = (state: number, code?: string, local?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inflight.delete(sock);
        sock.destroy();
        active--;
        if (state === 4 && code && RETRYABLE.has(code) && (retries.get(port) ?? 0) < 5) {
          retries.set(port, (retries.get(port) ?? 0) + 1);
          queue.unshift(port);
          setTimeout(pump, 20);
          return;
        }
        states[port] = state;
        if (state === 1) {
          open.push(port);
          const ep: EndpointPair = { proto: 'tcp', local: local ?? '?', remote: `${host}:${port}` };
          ctx.evidence.append({ channel: 'probe', protocol: 'network', dir: 'event', text: `tcp ${host}:${port} open`, endpoints: ep, attrs: { port, state: 'open' } });
        } else if (state === 4) errors.push({ port, code: code ?? 'unknown' });
        pump();
      };
      const timer = setTimeout(() => done(3), timeoutMs);
      sock.once('connect', () => {
        // TCP simultaneous open: when the kernel picks the probed port as the ephemeral source port on
        // the same address, the socket connects to itself. Nothing listens there: the port is closed.
        if (sock.localPort === port && sock.localAddress === sock.remoteAddress) return done(2);
        done(1, undefined, `${sock.localAddress}:${sock.localPort}`);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        const code = e.code ?? 'unknown';
        if (code === 'ECONNREFUSED') done(2);
        else if (FILTERED.has(code)) done(3, code);
        else if (code === 'ECONNRESET') done(2, code);
        else done(4, code);
      });
      sock.connect({ host, port });
    };
    pump();
  });
  if (cancelled) throw new ChannelError('aborted', `TCP scan of ${host} cancelled`);

  open.sort((a, b) => a - b);
  let closed = 0;
  const filtered: number[] = [];
  for (const p of list) {
    if (states[p] === 2) closed++;
    else if (states[p] === 3) filtered.push(p);
  }
  const elapsedMs = Date.now() - t0;
  ctx.evidence.append({
    channel: 'probe',
    protocol: 'network',
    dir: 'event',
    text: `tcp scan ${host}: ${list.length} ports, ${open.length} open, ${closed} closed, ${filtered.length} filtered${errors.length ? `, ${errors.length} errors` : ''} in ${elapsedMs} ms`,
    attrs: {
      host,
      scanned: list.length,
      range: list.length ? `${list[0]}-${list[list.length - 1]}` : '',
      open,
      closed,
      filteredCount: filtered.length,
      filtered: filtered.slice(0, 1000),
      errors: errors.slice(0, 100),
      concurrency,
      timeoutMs,
      elapsedMs,
    },
  });
  const names = ['unknown', 'open', 'closed', 'filtered', 'error'] as const;
  return {
    host,
    scanned: list.length,
    open,
    closed,
    filtered,
    errors,
    elapsedMs,
    state: (port) => {
      const s = names[states[port] ?? 0];
      return s === 'unknown' ? undefined : s;
    },
  };
}

export interface BannerResult {
  state: PortState;
  /** First bytes the service sent (possibly after our CRLF nudge). */
  banner: Buffer;
  text: string;
  /** True when the service stayed silent and we sent CRLF to provoke an answer. */
  nudged: boolean;
}

/** Connect and read what the service says first; if silent for half the deadline, send CRLF and wait again. */
export async function grabBanner(
  host: string,
  port: number,
  opts: OpOptions & { maxBytes?: number; nudge?: boolean },
  ctx: ChannelContext,
): Promise<BannerResult> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let t: ByteTransport;
  try {
    t = await ByteTransport.open(`tcp://${isIPv6(host) ? `[${host}]` : host}:${port}`, ctx, { channel: 'probe', protocol: 'network', signal: opts.signal, timeoutMs });
  } catch (e) {
    const ce = e as ChannelError;
    if (ce.kind === 'aborted') throw e;
    return { state: ce.kind === 'refused' ? 'closed' : 'filtered', banner: Buffer.alloc(0), text: '', nudged: false };
  }
  const max = opts.maxBytes ?? 1024;
  let read: BannerRead;
  try {
    read = await readBanner(t, ctx, { timeoutMs, signal: opts.signal, maxBytes: max, nudge: opts.nudge });
    if (ctx.signal?.aborted || opts.signal?.aborted) throw new ChannelError('aborted', `banner grab ${host}:${port} cancelled`);
  } finally {
    await t.close();
  }
  const { banner, nudged } = read;
  return { state: 'open', banner, text: printable(banner, max), nudged };
}

export interface UdpProbeResult {
  /** open: the service answered; closed: ICMP port unreachable; open|filtered: silence. */
  state: 'open' | 'closed' | 'open|filtered';
  reply?: Buffer;
  elapsedMs: number;
}

/** Send one datagram on a connected UDP socket and classify the reaction. */
export async function probeUdp(
  host: string,
  port: number,
  payload: Uint8Array | string,
  timeoutMs: number,
  ctx: ChannelContext,
  opts: OpOptions = {},
): Promise<UdpProbeResult> {
  const t0 = Date.now();
  const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const conn = nextConnId('udp');
  let endpoints: EndpointPair = { proto: 'udp', local: '0.0.0.0:0', remote: `${host}:${port}` };
  const data = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const signal = opSignal(ctx, { signal: opts.signal, timeoutMs }, timeoutMs);
  try {
    const result = await new Promise<UdpProbeResult['state'] | { reply: Buffer } | 'aborted'>((resolve) => {
      const onAbort = () => resolve(abortKind(ctx, opts) === 'aborted' ? 'aborted' : 'open|filtered');
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      sock.on('message', (msg) => resolve({ reply: msg }));
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'closed' : 'open|filtered'));
      sock.connect(port, host, () => {
        const a = sock.address();
        endpoints = { proto: 'udp', local: `${a.address}:${a.port}`, remote: `${host}:${port}` };
        ctx.evidence.append({ channel: 'probe', protocol: 'network', conn, dir: 'tx', data, text: `udp probe ${printable(data, 120)}`, endpoints });
        sock.send(data, (err) => err && resolve((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'closed' : 'open|filtered'));
      });
    });
    if (result === 'aborted') throw new ChannelError('aborted', `UDP probe ${host}:${port} cancelled`);
    if (typeof result === 'object') {
      ctx.evidence.append({ channel: 'probe', protocol: 'network', conn, dir: 'rx', data: result.reply, text: `udp reply ${printable(result.reply, 200)}`, endpoints });
      return { state: 'open', reply: result.reply, elapsedMs: Date.now() - t0 };
    }
    ctx.evidence.append({ channel: 'probe', protocol: 'network', conn, dir: 'event', text: `udp ${host}:${port} ${result}`, endpoints, attrs: { port, state: result } });
    return { state: result, elapsedMs: Date.now() - t0 };
  } finally {
    await new Promise<void>((r) => sock.close(() => r()));
  }
}
