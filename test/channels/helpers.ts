// Shared fixtures for the channel tests: a throw-away evidence log, real peers (TCP servers that
// misbehave on purpose, socat pty pairs, a mosquitto process) and binary checks.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { ConsoleInterface } from '../../harness/profile/target-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { Redactor } from '../../harness/evidence/redactor.js';
import { afterEach } from 'vitest';

/** SIGTERM a helper process (SIGKILL after 1 s), wait for it, and remove its scratch dir. */
async function stopChild(child: ChildProcess, exited: Promise<void>, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(t);
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Per-test cleanup for a test file: `cleanups` run newest first after each test, and `evidence()`
 * makes a scratch evidence log that is removed with them. Call once at module level.
 */
export function useTestCleanups(): { cleanups: Array<() => Promise<void> | void>; evidence: (...args: Parameters<typeof makeEvidence>) => TestEvidence } {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    evidence: (...args) => {
      const ev = makeEvidence(...args);
      cleanups.push(() => ev.cleanup());
      return ev;
    },
  };
}

export interface TestEvidence {
  evidence: EvidenceLog;
  dir: string;
  records(): EvidenceRecord[];
  /** The evidence file as text, with every data field also decoded from hex (for grepping secrets). */
  fullText(): string;
  cleanup(): void;
}

export function makeEvidence(secrets: string[] = []): TestEvidence {
  const dir = mkdtempSync(join(tmpdir(), 'hil-chan-'));
  const evidence = new EvidenceLog(dir, 'test-run', new Redactor(secrets));
  const read = () => {
    try {
      return readFileSync(evidence.path, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    evidence,
    dir,
    records: () =>
      read()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as EvidenceRecord),
    fullText: () => {
      const raw = read();
      const decoded = raw
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const r = JSON.parse(l) as EvidenceRecord;
          return r.data ? Buffer.from(r.data, 'hex').toString('latin1') : '';
        })
        .join('\n');
      // Also the concatenation of all rx/tx bytes per connection, so a secret split over records is found too.
      const streams = new Map<string, string>();
      for (const l of raw.split('\n').filter(Boolean)) {
        const r = JSON.parse(l) as EvidenceRecord;
        if (!r.data) continue;
        const k = `${r.conn}/${r.dir}`;
        streams.set(k, (streams.get(k) ?? '') + Buffer.from(r.data, 'hex').toString('latin1'));
      }
      return raw + '\n' + decoded + '\n' + [...streams.values()].join('\n');
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** True when `bin` is on PATH. Missing in CI is a failure (the CI image must have it); locally a skip. */
export function haveBinary(bin: string, versionArg = '-h'): boolean {
  const ok = spawnSync(bin, [versionArg], { stdio: 'ignore' }).error === undefined;
  if (!ok && process.env.CI) throw new Error(`${bin} is required in CI (Debian package) but was not found on PATH`);
  if (!ok) console.warn(`[skip] ${bin} not found on PATH: tests that need it are skipped`);
  return ok;
}

export interface TcpPeer {
  port: number;
  url: string;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A loopback TCP server whose behaviour the test scripts; close() destroys every connection. */
export async function tcpPeer(onConnection: (s: Socket) => void): Promise<TcpPeer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port that was free a moment ago (nothing listens there now): for "connection refused". */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface PtyPair {
  a: string;
  b: string;
  close(): Promise<void>;
}

/** socat pty pair: link paths a and b. */
export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'hil-pty-'));
  const a = join(dir, 'ttyA');
  const b = join(dir, 'ttyB');
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat not ready: ${log}`)), 5000);
    child.once('error', (e) => (clearTimeout(timer), reject(e)));
    child.stderr!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
      if (log.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  let closing: Promise<void> | undefined;
  return {
    a,
    b,
    close: () =>
      (closing ??= stopChild(child, exited, dir)),
  };
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Mosquitto {
  url: string;
  tlsUrl: string;
  close(): Promise<void>;
}

/**
 * A real mosquitto on loopback with users alice (rw gw/#) and bob (read gw/telemetry only), no
 * anonymous access, a plaintext and a TLS listener (self-signed certificate from openssl).
 */
export async function startMosquitto(users: Record<string, string>): Promise<Mosquitto> {
  const { execFileSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'hil-mosq-'));
  const port = await closedPort();
  const tlsPort = await closedPort();
  const pw = join(dir, 'passwd');
  writeFileSync(pw, '');
  for (const [u, p] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', pw, u, p], { stdio: 'ignore' });
  writeFileSync(join(dir, 'acl'), 'user alice\ntopic readwrite gw/#\n\nuser bob\ntopic read gw/telemetry\n');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const conf = [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${pw}`,
    `acl_file ${join(dir, 'acl')}`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    `listener ${port} 127.0.0.1`,
    `listener ${tlsPort} 127.0.0.1`,
    `certfile ${join(dir, 'cert.pem')}`,
    `keyfile ${join(dir, 'key.pem')}`,
  ].join('\n');
  writeFileSync(join(dir, 'mosquitto.conf'), conf + '\n');
  const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Ready when both ports accept connections.
  const { connect } = await import('node:net');
  const up = (p: number) =>
    new Promise<boolean>((r) => {
      const s = connect({ host: '127.0.0.1', port: p });
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
  for (let t0 = Date.now(); !((await up(port)) && (await up(tlsPort))); await delay(25)) {
    if (Date.now() - t0 > 5000 || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start: ${log}`);
    }
  }
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    tlsUrl: `mqtts://127.0.0.1:${tlsPort}`,
    close: () =>
      (closing ??= stopChild(child, exited, dir)),
  };
}

/** Start several simulators; if any fails, stop the ones that did start and rethrow (nothing leaks). */
export async function startAll<T extends { stop(): Promise<void> }>(starts: Array<() => Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(starts.map((s) => s()));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** The simulator's console as a profile describes it, at `connect` (its pty or TCP port). */
export const simConsoleInterface = (connect: string): ConsoleInterface =>
  ConsoleInterface.parse({
    connect,
    prompts: { login: 'login:\\s*$', password: 'Passphrase:\\s*$', shell: '\\[[^\\]\\s]+@gw-sim\\][#$]\\s*$', adminShell: '\\[[^\\]\\s]+@gw-sim\\]#\\s*$', failure: 'Authentication failed', locked: 'suspended', idleLogout: 'Idle session closed' },
    commands: { status: 'show status' },
    responses: { statusOk: 'heaterSetpoint', rejected: '(?m)^Refused' },
    timeoutMs: 3000,
  });
