/**
 * The upstream MQTT broker the demo's simulated gateway publishes to: a real Mosquitto (child
 * process, own config, loopback only) when it is installed, an embedded aedes broker otherwise.
 * stop()/start() take it away and bring it back on the same port (broker outage). Its log goes to
 * a file of the run directory, never to the terminal.
 */
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { findMosquitto, freeLoopbackPort, mosquittoProcess } from './mosquitto-process.js';

export { freeLoopbackPort } from './mosquitto-process.js';

export interface UpstreamBroker {
  readonly kind: 'mosquitto' | 'aedes';
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good. Idempotent. */
  close(): Promise<void>;
}

export async function startUpstreamBroker(opts: { dir: string; logFile: string; prefer?: 'mosquitto' | 'aedes' }): Promise<UpstreamBroker> {
  const port = await freeLoopbackPort();
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const mosquitto = opts.prefer === 'aedes' ? undefined : findMosquitto();
  const b = mosquitto ? mosquittoBroker(mosquitto, port, opts.dir, log) : await aedesBroker(port, log);
  await b.start();
  return b;
}

function mosquittoBroker(bin: string, port: number, dir: string, log: WriteStream): UpstreamBroker {
  const confPath = join(dir, `upstream-mosquitto-${port}.conf`);
  const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_timestamp true', 'connection_messages true'];
  // As root mosquitto drops to user "mosquitto", which may not read a config under the run directory.
  if (process.getuid?.() === 0) lines.push('user root');
  writeFileSync(confPath, lines.join('\n') + '\n');
  const proc = mosquittoProcess({ bin, confPath, port, onLog: (d) => log.write(d) });
  let closed = false;
  return {
    kind: 'mosquitto',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      if (!closed) await proc.start();
    },
    stop: () => proc.stop(),
    async close() {
      if (closed) return;
      closed = true;
      await proc.stop();
      log.end();
    },
  };
}

async function aedesBroker(port: number, log: WriteStream): Promise<UpstreamBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({ connectTimeout: 5000 });
  broker.on('client', (c) => log.write(`${new Date().toISOString()} client ${c.id} connected\n`));
  broker.on('clientDisconnect', (c) => log.write(`${new Date().toISOString()} client ${c.id} disconnected\n`));
  let server: Server | undefined;
  const socks = new Set<Socket>();
  let closed = false;
  const stop = async () => {
    const s = server;
    if (!s) return;
    server = undefined;
    for (const c of socks) c.destroy();
    await new Promise<void>((r) => s.close(() => r()));
    log.write(`${new Date().toISOString()} embedded broker stopped\n`);
  };
  return {
    kind: 'aedes',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      if (closed || server) return;
      const s = createServer((sock) => {
        socks.add(sock);
        sock.once('close', () => socks.delete(sock));
        sock.on('error', () => {});
        broker.handle(sock);
      });
      await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve()); });
      server = s;
      log.write(`${new Date().toISOString()} embedded broker (aedes) listening on 127.0.0.1:${port}\n`);
    },
    stop,
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      await new Promise<void>((r) => broker.close(() => r()));
      log.end();
    },
  };
}
