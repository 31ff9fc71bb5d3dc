/**
 * TCP fault proxy between a device and its upstream (broker or master). The device is configured
 * to use the proxy's listen address; the proxy forwards to the real upstream and can, on demand:
 * - cut:       end every live connection (FIN) and accept-then-close new ones;
 * - blackhole: keep connections open but swallow every byte both ways (accept and drop);
 * - latency:   delay every chunk by a fixed time, order preserved;
 * - reset:     reset every live connection (RST) and reset new ones at once;
 * - pass:      forward normally (leaving blackhole resets the swallowed connections, whose
 *              byte streams are broken, as a real long blackhole ends in a timeout).
 * Every accepted connection is a connection attempt of the device, timestamped on the
 * performance clock, so reconnect storms can be counted (the proxy accepts while the upstream
 * is down, and closes with RST when the upstream refuses). A user-space proxy cannot refuse a
 * SYN and still count it: 'cut' is accept-and-close.
 */
import { createServer, Socket, type Server } from 'node:net';
import type { EvidenceLog } from '../evidence/evidence-log.js';
import { parseTcpUrl } from '../protocols/transport/channel.js';

export type ProxyMode = 'pass' | 'cut' | 'blackhole' | 'latency' | 'reset';

export interface ProxyConnection {
  id: number;
  acceptedAt: number;
  /** The upstream accepted our connection for this client. */
  upstreamConnected: boolean;
  bytesUp: number;
  bytesDown: number;
  /** Last time bytes were forwarded device → upstream / upstream → device. */
  lastUpAt?: number;
  lastDownAt?: number;
  closedAt?: number;
  closeReason?: string;
}

export interface TcpFaultProxyOptions {
  listen: string;
  target: string;
  evidence?: EvidenceLog;
  /** Registry name of the protocol the proxied connections carry, set on the proxy's records. */
  protocol?: string;
  latencyMs?: number;
  now?: () => number;
}

interface Live {
  rec: ProxyConnection;
  client: Socket;
  upstream?: Socket;
  blackholed: boolean;
}

export class TcpFaultProxy {
  readonly connections: ProxyConnection[] = [];
  private readonly live = new Set<Live>();
  private modeNow: ProxyMode = 'pass';
  private latencyMs: number;
  private nextId = 1;
  private readonly now: () => number;

  private constructor(
    private readonly server: Server,
    private readonly opts: TcpFaultProxyOptions,
    readonly port: number,
  ) {
    this.latencyMs = opts.latencyMs ?? 300;
    this.now = opts.now ?? (() => performance.now());
  }

  static async start(opts: TcpFaultProxyOptions): Promise<TcpFaultProxy> {
    const { host, port } = parseTcpUrl(opts.listen);
    let proxy: TcpFaultProxy | undefined;
    const server = createServer((c) => proxy?.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    proxy = new TcpFaultProxy(server, opts, port);
    proxy.log('event', `fault proxy listening on ${opts.listen} → ${opts.target}`);
    return proxy;
  }

  get mode(): ProxyMode {
    return this.modeNow;
  }

  /** Switch mode; live connections are treated at once (cut/reset end them). */
  setMode(mode: ProxyMode, opts: { latencyMs?: number } = {}): void {
    const prev = this.modeNow;
    this.modeNow = mode;
    if (opts.latencyMs !== undefined) this.latencyMs = opts.latencyMs;
    this.log('fault', `proxy mode ${prev} → ${mode}${mode === 'latency' ? ` (${this.latencyMs} ms)` : ''}`, { mode, prev, latencyMs: this.latencyMs, liveConnections: this.live.size });
    for (const l of [...this.live]) {
      if (mode === 'cut') this.drop(l, 'cut', false);
      else if (mode === 'reset') this.drop(l, 'reset', true);
      else if (mode === 'blackhole') l.blackholed = true;
      else if (mode === 'pass' && l.blackholed) this.drop(l, 'blackhole ended (stream lost bytes)', true);
    }
  }

  /** Connection attempts (accepts) with from <= t < to. */
  attemptsBetween(from: number, to: number): number[] {
    return this.connections.filter((c) => c.acceptedAt >= from && c.acceptedAt < to).map((c) => c.acceptedAt);
  }

  /** True when a connection that completed its handshake (bytes came back) forwarded device bytes at or after `t`. */
  sessionActiveSince(t: number): boolean {
    return this.connections.some((c) => c.upstreamConnected && c.bytesDown > 0 && c.closedAt === undefined && (c.lastUpAt ?? -Infinity) >= t && (c.lastDownAt ?? -Infinity) >= 0);
  }

  /** Waits until sessionActiveSince(t) holds; resolves with the time it did, or undefined after timeoutMs. */
  async waitSession(t: number, timeoutMs: number, signal?: AbortSignal): Promise<number | undefined> {
    const end = this.now() + timeoutMs;
    while (this.now() < end && !signal?.aborted) {
      if (this.sessionActiveSince(t)) return this.now();
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.sessionActiveSince(t) ? this.now() : undefined;
  }

  async close(): Promise<void> {
    for (const l of [...this.live]) this.drop(l, 'proxy closed', false);
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private accept(client: Socket): void {
    const rec: ProxyConnection = { id: this.nextId++, acceptedAt: this.now(), upstreamConnected: false, bytesUp: 0, bytesDown: 0 };
    this.connections.push(rec);
    const l: Live = { rec, client, blackholed: this.modeNow === 'blackhole' };
    this.live.add(l);
    client.on('error', () => undefined);
    client.on('close', () => this.closed(l, 'device closed'));
    this.log('open', `device connection #${rec.id} accepted (mode ${this.modeNow})`, { id: rec.id, mode: this.modeNow }, client);
    if (this.modeNow === 'cut') return this.drop(l, 'cut', false);
    if (this.modeNow === 'reset') return this.drop(l, 'reset', true);
    const { host, port } = parseTcpUrl(this.opts.target);
    const up = new Socket();
    l.upstream = up;
    up.on('error', (e: NodeJS.ErrnoException) => { if (!rec.upstreamConnected) this.drop(l, `upstream ${e.code ?? e.message}`, true); });
    up.on('close', () => this.drop(l, 'upstream closed', false));
    up.connect({ host, port }, () => { rec.upstreamConnected = true; up.setNoDelay(true); });
    client.on('data', (b: Buffer) => this.forward(l, b, up, 'up'));
    up.on('data', (b: Buffer) => this.forward(l, b, client, 'down'));
  }

  private forward(l: Live, b: Buffer, dst: Socket, dir: 'up' | 'down'): void {
    if (l.blackholed || this.modeNow === 'blackhole') { l.blackholed = true; return; }
    const send = () => {
      if (dst.destroyed) return;
      dst.write(b);
      if (dir === 'up') { l.rec.bytesUp += b.length; l.rec.lastUpAt = this.now(); } else { l.rec.bytesDown += b.length; l.rec.lastDownAt = this.now(); }
    };
    // Equal delays fire in order, so a constant latency keeps the byte stream intact.
    if (this.modeNow === 'latency') setTimeout(send, this.latencyMs);
    else send();
  }

  private drop(l: Live, reason: string, rst: boolean): void {
    if (!this.live.has(l)) return;
    if (rst) l.client.resetAndDestroy();
    else l.client.destroy();
    l.upstream?.destroy();
    this.closed(l, reason);
  }

  private closed(l: Live, reason: string): void {
    if (!this.live.delete(l)) return;
    l.rec.closedAt = this.now();
    l.rec.closeReason = reason;
    l.upstream?.destroy();
    if (!l.client.destroyed) l.client.destroy();
    this.log('close', `connection #${l.rec.id} closed: ${reason} (up ${l.rec.bytesUp} B, down ${l.rec.bytesDown} B)`, { id: l.rec.id, reason, bytesUp: l.rec.bytesUp, bytesDown: l.rec.bytesDown });
  }

  private log(dir: 'event' | 'fault' | 'open' | 'close', text: string, attrs?: Record<string, unknown>, sock?: Socket): void {
    this.opts.evidence?.append({
      channel: 'fault-proxy',
      ...(this.opts.protocol ? { protocol: this.opts.protocol } : {}),
      dir,
      text,
      ...(attrs ? { attrs } : {}),
      ...(sock ? { endpoints: { proto: 'tcp' as const, local: `${sock.localAddress}:${sock.localPort}`, remote: `${sock.remoteAddress}:${sock.remotePort}` } } : {}),
    });
  }
}
