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
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, mosquittoProcess } from '../../harness/demo/mosquitto-process.js';
import { findExecutable } from './real-parts.js';

export { freeLoopbackPort } from '../../harness/demo/mosquitto-process.js';

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

  let log = '';
  let closed = false;
  const proc = mosquittoProcess({ bin: mosquitto, confPath, port, readyTimeoutMs: opts.readyTimeoutMs, onLog: (d) => (log = (log + d.toString()).slice(-200_000)) });
  const start = async () => {
    if (closed) throw new Error('mosquitto fixture is closed');
    await proc.start();
  };
  const stop = () => proc.stop();

  await start();

  return {
    host: '127.0.0.1',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    mode: opts.mode,
    dir,
    get running() {
      return proc.running;
    },
    get pid() {
      return proc.pid;
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
