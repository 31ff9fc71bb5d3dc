// Real parts the tests use (Debian packages, the Docker engine, root for network namespaces),
// and how a test says it needs one.
//
// Rule: in CI (`CI` set and not "false"/"0") a missing part FAILS the tests that need it with a
// message saying how to install it; outside CI those tests are SKIPPED and the reason is printed
// once (console.warn), so a laptop without Docker still runs everything else.
//
// Usage in a test file (top-level await is fine in vitest):
//
//   import { needParts } from './real-parts.js';
//   const parts = await needParts('socat', 'mosquitto');
//   describe.skipIf(parts.skip)('console over a pty', () => {
//     beforeAll(() => parts.assert());        // in CI: throws "socat is required in CI: ..." if missing
//     test('...', () => { spawn(parts.bin('socat'), ...) });
//   });
//
// `describe.skipIf` / `test.skipIf` / `test.runIf` only: the repo's hook rejects literal
// skip/only/todo calls. `requirePart(name)` is the raw probe ({ available, reason }), cached per
// process; `part(name)` is needParts with a single name.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { applyOfflineTestcontainersDefaults } from '../../harness/container/container-target.js';

export type PartName = 'socat' | 'mosquitto' | 'tshark' | 'chromium' | 'nmap' | 'docker' | 'pymodbus' | 'netns' | 'linuxLogin';

export interface PartStatus {
  name: PartName;
  available: boolean;
  /** Why the part is unusable (only when not available). */
  reason?: string;
  /** First line of the part's version output, when known. */
  version?: string;
  /** Executable to run for this part (absolute path), when it is a program. */
  bin?: string;
}

export interface NeededParts {
  /** True when a part is missing and we are NOT in CI: skip the describe/test. */
  readonly skip: boolean;
  /** True when every part is available. */
  readonly available: boolean;
  readonly statuses: readonly PartStatus[];
  /** Throws (failing the test or hook) when a part is missing. Call it in beforeAll. */
  assert(): void;
  /** Absolute path of a part's executable (falls back to the bare name). */
  bin(name: PartName): string;
  /** Human-readable summary of what is missing, or '' when nothing is. */
  readonly reason: string;
}

export const INSTALL_HINT = 'install it with scripts/setup-system.sh';

export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return !!v && v !== 'false' && v !== '0';
}

/** PATH lookup that also searches the sbin directories (mosquitto lives in /usr/sbin, which a non-root PATH may lack). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function run(cmd: string, args: string[], timeoutMs = 15_000): { ok: boolean; code: number | null; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: r.status === 0, code: r.status, stdout: r.stdout ?? '', out: r.error ? `${r.error.message}\n${out}` : out };
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

/** The line that names the version ("socat version 1.7.4.4 ..."), else the first line. */
function versionLine(s: string): string {
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /version|\d+\.\d+/i.test(l)) ?? lines[0] ?? '';
}

function missingProgram(name: PartName, program: string, pkg = program): PartStatus {
  return { name, available: false, reason: `${program} not found (Debian package ${pkg})` };
}

/** A program part: found on PATH (or sbin) and its version command exits as expected. */
function programPart(name: PartName, candidates: string[], versionArgs: string[], pkg: string, okCodes: (number | null)[] = [0]): PartStatus {
  for (const c of candidates) {
    const bin = findExecutable(c);
    if (!bin) continue;
    const r = run(bin, versionArgs);
    // Version from stdout first: tshark and the chromium wrapper print warnings on stderr.
    if (okCodes.includes(r.code)) return { name, available: true, bin, version: versionLine(r.stdout) || versionLine(r.out) };
    return { name, available: false, bin, reason: `${bin} ${versionArgs.join(' ')} failed (exit ${r.code}): ${firstLine(r.out)}` };
  }
  return missingProgram(name, candidates[0]!, pkg);
}

async function probeDocker(): Promise<PartStatus> {
  try {
    applyOfflineTestcontainersDefaults();
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer within 15 s')), 15_000).unref()),
    ]);
    const info = client.info;
    return { name: 'docker', available: true, version: `engine ${info.containerRuntime.serverVersion} (${info.containerRuntime.operatingSystem})` };
  } catch (e) {
    return {
      name: 'docker',
      available: false,
      reason: `no Docker engine answers (${(e as Error).message}); install docker.io and start it with scripts/docker-up.sh`,
    };
  }
}

function probePymodbus(): PartStatus {
  // Debian's python3-pymodbus is in the system interpreter; a pyenv/venv python3 on PATH lacks it.
  const candidates = ['/usr/bin/python3', findExecutable('python3')].filter((p): p is string => !!p);
  let last = '';
  for (const py of [...new Set(candidates)]) {
    const r = run(py, ['-c', 'import pymodbus; print(pymodbus.__version__)']);
    if (r.ok) return { name: 'pymodbus', available: true, bin: py, version: `pymodbus ${firstLine(r.out)}` };
    last = `${py}: ${firstLine(r.out.split('\n').slice(-3).join('\n'))}`;
  }
  return { name: 'pymodbus', available: false, reason: `python module pymodbus not importable (Debian package python3-pymodbus)${last ? `; ${last}` : ''}` };
}

function probeNetns(): PartStatus {
  if (process.platform !== 'linux') return { name: 'netns', available: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { name: 'netns', available: false, reason: 'network namespaces need root (CI runs as root)' };
  const ip = findExecutable('ip');
  if (!ip) return missingProgram('netns', 'ip', 'iproute2');
  // Prove it for real: add and delete a namespace with a veth pair (what test/support/netns.ts does).
  const tag = `hilp${process.pid.toString(36)}`.slice(0, 10);
  const ns = `hil-probe-${process.pid}`;
  try {
    const add = run(ip, ['netns', 'add', ns]);
    if (!add.ok) return { name: 'netns', available: false, bin: ip, reason: `ip netns add failed: ${firstLine(add.out)}` };
    const veth = run(ip, ['link', 'add', `${tag}h`, 'type', 'veth', 'peer', 'name', `${tag}n`, 'netns', ns]);
    if (!veth.ok) return { name: 'netns', available: false, bin: ip, reason: `cannot create a veth pair: ${firstLine(veth.out)}` };
    return { name: 'netns', available: true, bin: ip, version: firstLine(run(ip, ['-V']).out) };
  } finally {
    run(ip, ['link', 'del', `${tag}h`]);
    run(ip, ['netns', 'del', ns]);
  }
}

/** login(1), PAM's pam_faillock and a private mount namespace (root): test/support/linux-console.ts. */
function probeLinuxLogin(): PartStatus {
  const name = 'linuxLogin';
  if (process.platform !== 'linux') return { name, available: false, reason: 'login(1) with PAM needs Linux' };
  if (process.getuid?.() !== 0) return { name, available: false, reason: 'a private mount namespace needs root (CI runs as root)' };
  for (const [prog, pkg] of [['login', 'login'], ['unshare', 'util-linux'], ['openssl', 'openssl']] as const) if (!findExecutable(prog)) return missingProgram(name, prog, pkg);
  const faillock = ['/lib/x86_64-linux-gnu/security', '/lib/aarch64-linux-gnu/security', '/usr/lib/x86_64-linux-gnu/security', '/lib/security'].some((d) => {
    try {
      accessSync(join(d, 'pam_faillock.so'), constants.R_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!faillock) return { name, available: false, reason: 'pam_faillock.so not found (Debian package libpam-modules)' };
  const ns = run(findExecutable('unshare')!, ['-m', 'true']);
  if (!ns.ok) return { name, available: false, reason: `unshare -m failed: ${firstLine(ns.out)}` };
  return { name, available: true, bin: findExecutable('login')! };
}

async function probe(name: PartName): Promise<PartStatus> {
  switch (name) {
    case 'socat':
      return programPart('socat', ['socat'], ['-V'], 'socat');
    case 'mosquitto': {
      // `mosquitto -h` exits 3 after printing usage; mosquitto_passwd is needed for secure mode.
      const m = programPart('mosquitto', ['mosquitto'], ['-h'], 'mosquitto', [0, 3]);
      if (!m.available) return m;
      if (!findExecutable('mosquitto_passwd')) return missingProgram('mosquitto', 'mosquitto_passwd', 'mosquitto');
      return m;
    }
    case 'tshark':
      return programPart('tshark', ['tshark'], ['-v'], 'tshark');
    case 'chromium':
      return programPart('chromium', ['chromium', 'chromium-browser', 'google-chrome'], ['--version'], 'chromium');
    case 'nmap':
      return programPart('nmap', ['nmap'], ['--version'], 'nmap');
    case 'docker':
      return probeDocker();
    case 'pymodbus':
      return probePymodbus();
    case 'netns':
      return probeNetns();
    case 'linuxLogin':
      return probeLinuxLogin();
    default: {
      const never: never = name;
      throw new Error(`unknown part ${String(never)}`);
    }
  }
}

const cache = new Map<PartName, Promise<PartStatus>>();

/** Probes a part once per process: `{ available, reason }`. */
export function requirePart(name: PartName): Promise<PartStatus> {
  let p = cache.get(name);
  if (!p) {
    p = probe(name);
    cache.set(name, p);
  }
  return p;
}

const warned = new Set<string>();

/** Probes the parts and returns the skip flag for describe.skipIf and an assert() for beforeAll. */
export async function needParts(...names: PartName[]): Promise<NeededParts> {
  const statuses = await Promise.all(names.map((n) => requirePart(n)));
  const missing = statuses.filter((s) => !s.available);
  const ci = inCi();
  const reason = missing.map((s) => `${s.name}: ${s.reason ?? 'unavailable'}`).join('; ');
  if (missing.length > 0 && !ci && !warned.has(reason)) {
    warned.add(reason);
    console.warn(`[real-parts] skipping tests that need ${missing.map((s) => s.name).join(', ')} (outside CI): ${reason}`);
  }
  return {
    skip: missing.length > 0 && !ci,
    available: missing.length === 0,
    statuses,
    reason,
    assert() {
      if (missing.length === 0) return;
      const lines = missing.map((s) => `${s.name} is required${ci ? ' in CI' : ''}: ${INSTALL_HINT} (${s.reason ?? 'unavailable'})`);
      throw new Error(lines.join('\n'));
    },
    bin(name: PartName) {
      return statuses.find((s) => s.name === name)?.bin ?? name;
    },
  };
}

/** needParts for a single part. */
export function part(name: PartName): Promise<NeededParts> {
  return needParts(name);
}
