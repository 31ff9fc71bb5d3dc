import { createServer, type Server, type Socket } from 'node:net';

/** The device side of the line protocol, for the test: accounts, and two ways to break the promise. */
export interface LineDeviceConfig {
  accounts: Record<string, string>;
  /** A vendor default that still logs in. */
  defaultAccepted?: { username: string; password: string };
  /** STATUS works without LOGIN. */
  statusWithoutLogin?: boolean;
}

export async function startLineDevice(cfg: LineDeviceConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let loggedIn = false;
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const [cmd, user, pass] = buf.slice(0, nl).trim().split(' ');
        buf = buf.slice(nl + 1);
        if (cmd === 'LOGIN') {
          const d = cfg.defaultAccepted;
          loggedIn = (user !== undefined && cfg.accounts[user] === pass) || (!!d && d.username === user && d.password === pass);
          s.write(loggedIn ? 'OK\n' : 'DENIED\n');
        } else if (cmd === 'STATUS') s.write(loggedIn || cfg.statusWithoutLogin ? 'STATUS ok\n' : 'ERR login first\n');
        else s.write('ERR unknown command\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
