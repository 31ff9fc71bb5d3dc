// A real Mosquitto broker (Debian package) for tests: its own config in a temp dir, a free
// loopback port, readiness by its log line and the port, stop()/start() on the SAME port for
// broker-outage tests, and no process left behind (close(), plus a process-exit hook).
//
//   const broker = await startMosquitto({ mode: 'secure', users: { alice: 'pw' }, acl: { alice: ['readwrite #'] } });
//   ... mqtt.connectAsync(broker.url, ...) ...
//   await broker.stop(); await broker.start();   // outage, same port
//   await broker.close();                        // in afterAll: kills it and removes the temp dir
//
// Needs the `mosquitto` part (test/support/real-parts.ts). Mosquitto 2.0 answers CONNACK 5
// (v3.1.1) or 0x87 (v5) to refused credentials and hides ACL denials (check by delivery).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './real-parts.js';

export interface MosquittoOptions {
  /** insecure: anonymous allowed, no ACL. secure: password file + ACL, anonymous refused. */
  mode: 'insecure' | 'secure';
  /** username -> password (secure mode). */
  users?: Record<string, string>;
  /**
   * username -> rules like "readwrite #", "read gw/telemetry", "write gw/cmd/#" (secure mode).
   * Default: every user may read and write everything.
   */
  acl?: Record<string, string[]>;
  /** Raw ACL file text instead of `acl` (patterns, anonymous rules). */
  aclText?: string;
  /** Port to listen on; default: a free ephemeral port on 127.0.0.1. */
  port?: number;
  /** Extra config lines appended verbatim. */
  extraConfig?: string[];
  /** Readiness deadline. Default 10 s. */
  readyTimeoutMs?: number;
}

export interface MosquittoBroker {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** mqtt://127.0.0.1:PORT */
  readonly url: string;
  readonly mode: 'insecure' | 'secure';
  /** Temp dir holding mosquitto.conf, passwd and acl. */
  readonly dir: string;
  readonly running: boolean;
  /** pid of the running broker (undefined when stopped). */
  readonly pid: number | undefined;
  /** Broker log (stderr) across all starts. */
  logs(): string;
  /** Stop the broker (SIGTERM, SIGKILL after 3 s); the port stays reserved for start(). */
  stop(): Promise<void>;
  /** Start it again on the same port with the same config. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and remove the temp dir. Idempotent. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function portAccepts(port: number): Promise<boolean> {
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

function aclFromRules(acl: Record<string, string[]>): string {
  const out: string[] = [];
  for (const [user, rules] of Object.entries(acl)) {
    out.push(`user ${user}`);
    for (const r of rules) {
      const m = /^(read|write|readwrite|deny)\s+(\S+)$/.exec(r.trim());
      if (!m) throw new Error(`mosquitto ACL rule "${r}" for ${user}: expected "read|write|readwrite|deny TOPIC"`);
      out.push(`topic ${m[1]} ${m[2]}`);
    }
    out.push('');
  }
  return out.join('\n');
}

export async function startMosquitto(opts: MosquittoOptions): Promise<MosquittoBroker> {
  const mosquitto = findExecutable('mosquitto');
  if (!mosquitto) throw new Error('mosquitto not found: install it with scripts/setup-system.sh (Debian package mosquitto)');
  installExitHook();
  const port = opts.port ?? (await freeLoopbackPort());
  const dir = mkdtempSync(join(tmpdir(), 'hil-mosquitto-'));
  const confPath = join(dir, 'mosquitto.conf');
  const conf = [
    'per_listener_settings false',
    `listener ${port} 127.0.0.1`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    'log_timestamp true',
  ];
  // As root mosquitto drops to user "mosquitto" unless told otherwise, and then cannot read the
  // 0600 password/ACL files in our temp dir.
  if (process.getuid?.() === 0) conf.push('user root');
  if (opts.mode === 'insecure') {
    conf.push('allow_anonymous true');
  } else {
    const users = opts.users ?? {};
    if (Object.keys(users).length === 0) throw new Error('mosquitto secure mode needs at least one user');
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, '', { mode: 0o600 });
    const tool = findExecutable('mosquitto_passwd');
    if (!tool) throw new Error('mosquitto_passwd not found: install it with scripts/setup-system.sh (Debian package mosquitto)');
    for (const [u, p] of Object.entries(users)) {
      const r = spawnSync(tool, ['-b', passwd, u, p], { encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed for ${u}: ${r.stderr || r.error?.message}`);
    }
    chmodSync(passwd, 0o600);
    const aclPath = join(dir, 'acl');
    const aclText = opts.aclText ?? aclFromRules(opts.acl ?? Object.fromEntries(Object.keys(users).map((u) => [u, ['readwrite #']])));
    writeFileSync(aclPath, `${aclText}\n`, { mode: 0o600 });
    conf.push('allow_anonymous false', `password_file ${passwd}`, `acl_file ${aclPath}`);
  }
  conf.push(...(opts.extraConfig ?? []));
  writeFileSync(confPath, `${conf.join('\n')}\n`, { mode: 0o600 });

  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  let log = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let closed = false;

  const start = async () => {
    if (closed) throw new Error('mosquitto fixture is closed');
    if (child) return;
    const startLogAt = log.length;
    const c = spawn(mosquitto, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    live.add(c);
    let exitInfo: string | undefined;
    exited = new Promise<void>((resolve) => {
      c.once('exit', (code, sig) => {
        exitInfo = `exit ${code ?? sig}`;
        live.delete(c);
        if (child === c) child = undefined;
        resolve();
      });
      c.once('error', (e) => {
        exitInfo = `spawn error ${e.message}`;
        live.delete(c);
        if (child === c) child = undefined;
        resolve();
      });
    });
    const onData = (d: Buffer) => {
      log = (log + d.toString()).slice(-200_000);
    };
    c.stdout!.on('data', onData);
    c.stderr!.on('data', onData);
    const deadline = Date.now() + readyTimeoutMs;
    // Ready = our broker logged that it runs (so the port is not someone else's) and the port accepts.
    for (;;) {
      if (exitInfo) throw new Error(`mosquitto did not start (${exitInfo}) on 127.0.0.1:${port}:\n${log.slice(startLogAt).slice(-2000)}`);
      if (/mosquitto version \S+ running/.test(log.slice(startLogAt)) && (await portAccepts(port))) return;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`mosquitto not ready on 127.0.0.1:${port} after ${readyTimeoutMs} ms:\n${log.slice(startLogAt).slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const stop = async () => {
    const c = child;
    if (!c) return;
    c.kill('SIGTERM');
    const force = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
    child = undefined;
  };

  await start();

  return {
    host: '127.0.0.1',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    mode: opts.mode,
    dir,
    get running() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    logs: () => log,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      if (closed) return;
      await stop();
      closed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
