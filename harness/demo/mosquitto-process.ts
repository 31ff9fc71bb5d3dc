/**
 * One Mosquitto broker process from a config file the caller wrote: started and known ready by its
 * own log line ("mosquitto version … running", so the port is not someone else's) and an accepting
 * port; stopped with SIGTERM (SIGKILL after 3 s) and started again on the same port (a broker
 * outage); killed when this process exits. The demo's upstream broker and the tests' broker
 * fixture both run theirs through here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export interface MosquittoProcess {
  readonly running: boolean;
  readonly pid: number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function findMosquitto(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const d of [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    if (!d) continue;
    try {
      accessSync(join(d, 'mosquitto'), constants.X_OK);
      return join(d, 'mosquitto');
    } catch {
      /* next */
    }
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

export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const live = new Set<ChildProcess>();
let exitHook = false;
function killAllOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export function mosquittoProcess(opts: { bin: string; confPath: string; port: number; onLog: (chunk: Buffer) => void; readyTimeoutMs?: number }): MosquittoProcess {
  const readyMs = opts.readyTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  killAllOnExit();

  const stop = async () => {
    const c = child;
    if (!c) return;
    c.kill('SIGTERM');
    const force = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  };

  const start = async () => {
    if (child) return;
    const c = spawn(opts.bin, ['-c', opts.confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    live.add(c);
    let out = '';
    let gone: string | undefined;
    exited = new Promise<void>((resolve) => {
      const end = (why: string) => {
        gone ??= why;
        live.delete(c);
        if (child === c) child = undefined;
        resolve();
      };
      c.once('exit', (code, sig) => end(`exit ${code ?? sig}`));
      c.once('error', (e) => end(`spawn error ${e.message}`));
    });
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      opts.onLog(d);
    };
    c.stdout!.on('data', onData);
    c.stderr!.on('data', onData);
    const deadline = Date.now() + readyMs;
    while (!(/mosquitto version \S+ running/.test(out) && (await portAccepts(opts.port)))) {
      if (gone) throw new Error(`mosquitto did not start (${gone}) on 127.0.0.1:${opts.port}:\n${out.slice(-2000)}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`mosquitto not ready on 127.0.0.1:${opts.port} after ${readyMs} ms:\n${out.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  return {
    get running() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    start,
    stop,
  };
}
