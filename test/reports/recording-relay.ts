import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { EvidenceLog } from '../../harness/evidence/evidence-log.js';

/**
 * A TCP relay between a real client and a real server that writes what crosses it into the
 * evidence log, as a channel would: 'open', 'tx' (client→server), 'rx' (server→client), 'close',
 * with the client's endpoints and the protocol's registry name. Used to capture genuine protocol bytes for the pcapng test.
 */
export async function startRecordingRelay(log: EvidenceLog, upstreamPort: number, channel: string, protocol: string): Promise<{ port: number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const conn = `${channel}-${++n}`;
    const endpoints = { proto: 'tcp' as const, local: `${client.remoteAddress}:${client.remotePort}`, remote: `127.0.0.1:${port}` };
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    log.append({ channel, protocol, conn, dir: 'open', endpoints });
    client.on('data', (b) => {
      log.append({ channel, protocol, conn, dir: 'tx', data: b, endpoints });
      upstream.write(b);
    });
    upstream.on('data', (b) => {
      log.append({ channel, protocol, conn, dir: 'rx', data: b, endpoints });
      client.write(b);
    });
    let closed = false;
    const close = (by: 'local' | 'remote') => {
      if (closed) return;
      closed = true;
      log.append({ channel, protocol, conn, dir: 'close', endpoints, attrs: { by } });
      client.end();
      upstream.end();
    };
    client.on('end', () => close('local'));
    upstream.on('end', () => close('remote'));
    client.on('error', () => close('local'));
    upstream.on('error', () => close('remote'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
