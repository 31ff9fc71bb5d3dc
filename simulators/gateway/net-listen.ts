// Listening on a TCP port that is either fixed or picked free ('auto'), and closing a server
// together with its live sockets (server.close alone waits for clients to leave).
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';

/** Listens on `port` (0 = any free port) and resolves with the bound port. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A free port right now (for servers such as modbus-serial's that cannot bind port 0). */
export async function probeFreePort(host: string): Promise<number> {
  const s = createServer();
  const port = await listen(s, host, 0);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Tracks sockets so stop() can destroy them; returns the server. */
export function trackedServer(onConnection: (sock: Socket) => void): Server & { destroyAll(): Promise<void> } {
  const socks = new Set<Socket>();
  const server = createServer((sock) => {
    socks.add(sock);
    sock.once('close', () => socks.delete(sock));
    sock.on('error', () => { /* peers reset connections; never crash the simulator */ });
    onConnection(sock);
  }) as Server & { destroyAll(): Promise<void> };
  server.destroyAll = () => new Promise<void>((resolve) => {
    for (const s of socks) s.destroy();
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  return server;
}

export const tcpUrl = (host: string, port: number) => `tcp://${host}:${port}`;
