/**
 * Connection flood on open ports: opens a bounded number of TCP connections per port as fast as
 * a bounded number of connects in flight allows, holds them until the last one is tried, then
 * drops them all. Reports accepted / refused / reset / timed out and the connect rate achieved.
 */
import { Socket } from 'node:net';

export interface ConnectionFloodOptions {
  host: string;
  port: number;
  /** Connections to open (bounded on purpose: this is a robustness probe, not a DoS tool). */
  count: number;
  concurrency?: number;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface ConnectionFloodResult {
  port: number;
  attempted: number;
  accepted: number;
  refused: number;
  /** Accepted and then closed or reset by the device while we held it. */
  droppedByPeer: number;
  timeouts: number;
  elapsedMs: number;
  achievedRate: number;
}

export async function runConnectionFlood(opts: ConnectionFloodOptions): Promise<ConnectionFloodResult> {
  const held: Socket[] = [];
  let attempted = 0, accepted = 0, refused = 0, dropped = 0, timeouts = 0;
  const concurrency = opts.concurrency ?? 50;
  const t0 = performance.now();
  const one = () =>
    new Promise<void>((resolve) => {
      attempted++;
      const s = new Socket();
      let open = false;
      const t = setTimeout(() => { timeouts++; s.destroy(); resolve(); }, opts.connectTimeoutMs ?? 1000);
      s.once('connect', () => { clearTimeout(t); open = true; accepted++; held.push(s); resolve(); });
      s.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(t);
        if (!open) { if (e.code === 'ECONNREFUSED') refused++; else timeouts++; resolve(); }
      });
      // The device ending a connection we still hold ('end' = FIN, 'error' after connect = RST).
      let gone = false;
      const peerDrop = () => { if (open && !gone) { gone = true; dropped++; } };
      s.on('end', () => { peerDrop(); s.destroy(); });
      s.on('error', () => peerDrop());
      s.on('data', () => { /* banners, TLS alerts: ignored */ });
      s.connect({ host: opts.host, port: opts.port });
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, opts.count) }, async () => {
      while (next < opts.count && !opts.signal?.aborted) {
        next++;
        await one();
      }
    }),
  );
  const elapsedMs = Math.max(1, performance.now() - t0);
  for (const s of held) s.destroy();
  return { port: opts.port, attempted, accepted, refused, droppedByPeer: dropped, timeouts, elapsedMs: Math.round(elapsedMs), achievedRate: Math.round((attempted * 1000) / elapsedMs) };
}
