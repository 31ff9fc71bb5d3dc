/**
 * The upstream MQTT broker the demo's simulated gateway publishes to: a real Mosquitto (child
 * process, own config, loopback only) when it is installed, an embedded aedes broker otherwise.
 * stop()/start() take it away and bring it back on the same port (broker outage). Its log goes to
 * a file of the run directory, never to the terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';

export interface UpstreamBroker {
  readonly kind: 'mosquitto' | 'aedes';
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good. Idempotent. */
  close(): Promise<void>;
}

const READY_MS = 10_000;

export function findMosquitto(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const d of [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    if (!d) continue;
    try {
      accessSync(join(d, 'mosquitto'), constants.X_OK);
      return join(d, 'mosquitto');
    } catch { /* next */ }
  }
  return undefined;
}

/** A free loopback port (ephemeral range: outside every simulator's port block, so no scan sees it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
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
  const conf = join(dir, `upstream-mosquitto-${port}.conf`);
  const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_timestamp true', 'connection_messages true'];
  // As root mosquitto drops to user "mosquitto", which may not read a config under the run directory.
  if (process.getuid?.() === 0) lines.push('user root');
  writeFileSync(conf, lines.join('\n') + '\n');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let closed = false;
  const stop = async () => {
    const c = child;
    if (!c) return;
    c.kill('SIGTERM');
    const force = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  };
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    kind: 'mosquitto',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      if (closed || child) return;
      const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      const onData = (d: Buffer) => { out = (out + d.toString()).slice(-4000); log.write(d); };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      let gone: string | undefined;
      exited = new Promise<void>((resolve) => c.once('close', (code, sig) => { gone = `exit ${code ?? sig}`; if (child === c) child = undefined; resolve(); }));
      c.once('error', (e) => { gone = e.message; });
      const deadline = Date.now() + READY_MS;
      // Ready: our broker said it runs (so the port is not someone else's) and the port accepts.
      while (!(/mosquitto version \S+ running/.test(out) && (await accepts(port)))) {
        if (gone) throw new Error(`upstream mosquitto did not start (${gone}): ${out.slice(-500)}`);
        if (Date.now() > deadline) { await stop(); throw new Error(`upstream mosquitto not ready on port ${port} after ${READY_MS} ms`); }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop,
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      process.off('exit', killOnExit);
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
