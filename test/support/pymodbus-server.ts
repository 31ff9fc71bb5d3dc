// Debian's pymodbus as a Modbus TCP server on a free loopback port (test/support/pymodbus_server.py):
// started with the system python that has the module, ready when the port accepts a connection,
// killed on stop(). Its output is kept for the failure message when it does not come up.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, 'pymodbus_server.py');

export interface PymodbusServer {
  host: string;
  port: number;
  /** tcp://host:port */
  url: string;
  /** Environment for targets/pymodbus-server.yaml. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host, port });
    const done = (ok: boolean) => {
      c.destroy();
      resolve(ok);
    };
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
    c.setTimeout(500, () => done(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** `python` is the interpreter that imports pymodbus (needParts('pymodbus').bin('pymodbus')). */
export async function startPymodbusServer(python: string, opts: { host?: string; readyMs?: number; version?: string } = {}): Promise<PymodbusServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = await freePort(host);
  const child = spawn(python, [SCRIPT, '--host', host, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  const until = Date.now() + (opts.readyMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pymodbus server exited with ${child.exitCode} before listening:\n${output}`);
    if (await canConnect(host, port)) break;
    if (Date.now() > until) {
      await stopChild(child);
      throw new Error(`pymodbus server did not listen on ${host}:${port} within ${opts.readyMs ?? 15_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    port,
    url: `tcp://${host}:${port}`,
    env: { PYMODBUS_HOST: host, PYMODBUS_PORT: String(port), ...(opts.version ? { PYMODBUS_VERSION: opts.version } : {}) },
    stop: () => stopChild(child),
  };
}
