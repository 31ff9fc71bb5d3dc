// A network namespace of our own, joined to the host by a veth pair, so a program (the simulator)
// can have an address of its own like a real device: a full 1-65535 scan of that address sees
// only what runs inside the namespace, not the other programs on the shared loopback.
//
//   const ns = await createNetns();                    // needs root and iproute2 (part 'netns')
//   const sim = ns.spawn('node', ['bin/hil.js', 'sim', '--host', ns.nsAddr, ...]);
//   ... scan ns.nsAddr from the host ...
//   await ns.close();                                  // kills what runs inside, deletes ns and veth
//
// Addressing: a /30 out of 10.200.0.0/16 per namespace, host side .1, namespace side .2. The only
// traffic is between the host and the namespace the test created (the project's network rule).
// Namespaces are named hil-ns-<pid>-<n>; sweepStaleNetns() removes leftovers of dead processes.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { findExecutable } from './real-parts.js';

export interface NetNs {
  /** Namespace name (ip netns). */
  readonly name: string;
  /** Host-side veth interface and its address. */
  readonly hostIf: string;
  readonly hostAddr: string;
  /** Namespace-side veth interface and its address (the "device" address). */
  readonly nsIf: string;
  readonly nsAddr: string;
  /** Prefix length of the link (30). */
  readonly prefix: number;
  /** Runs a command inside the namespace and waits for it (bounded). */
  run(cmd: string, args: string[], timeoutMs?: number): { code: number | null; stdout: string; stderr: string };
  /** Starts a long-running command inside the namespace (`ip netns exec`). close() kills it if still running. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** pids of every process inside the namespace. */
  pids(): number[];
  /** Kills what runs inside, deletes the namespace and the veth pair. Idempotent; never throws. */
  close(): Promise<void>;
}

const live = new Map<string, () => void>();
let exitHook = false;
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const cleanup of live.values()) cleanup();
  });
}

let counter = 0;

function ipBin(): string {
  const ip = findExecutable('ip');
  if (!ip) throw new Error('ip not found: install iproute2 with scripts/setup-system.sh');
  return ip;
}

function ipRun(ip: string, args: string[], timeoutMs = 10_000): { ok: boolean; out: string } {
  const r = spawnSync(ip, args, { encoding: 'utf8', timeout: timeoutMs });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

function must(ip: string, args: string[]): string {
  const r = ipRun(ip, args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}

function nsPids(ip: string, name: string): number[] {
  const r = ipRun(ip, ['netns', 'pids', name]);
  if (!r.ok) return [];
  return r.out.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killAllSync(ip: string, name: string): void {
  for (const pid of nsPids(ip, name)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Picks a 10.200.x.y/30 that no interface on the host uses yet. */
function pickSubnet(ip: string): { hostAddr: string; nsAddr: string } {
  const used = must(ip, ['-o', '-4', 'addr', 'show']);
  for (let attempt = 0; attempt < 100; attempt++) {
    const block = randomInt(0, 16384); // 16384 /30 blocks in 10.200.0.0/16
    const third = Math.floor(block / 64);
    const fourth = (block % 64) * 4;
    const hostAddr = `10.200.${third}.${fourth + 1}`;
    const nsAddr = `10.200.${third}.${fourth + 2}`;
    if (!used.includes(`10.200.${third}.${fourth + 1}/`) && !used.includes(`10.200.${third}.${fourth + 2}/`)) return { hostAddr, nsAddr };
  }
  throw new Error('no free /30 in 10.200.0.0/16');
}

export async function createNetns(opts: { readyTimeoutMs?: number } = {}): Promise<NetNs> {
  const ip = ipBin();
  installExitHook();
  const n = counter++;
  const name = `hil-ns-${process.pid}-${n}`;
  // Interface names are limited to 15 characters.
  const tag = `h${process.pid.toString(36)}${n.toString(36)}`.slice(0, 12);
  const hostIf = `${tag}a`;
  const nsIf = `${tag}b`;
  const prefix = 30;
  const { hostAddr, nsAddr } = pickSubnet(ip);
  const children = new Set<ChildProcess>();

  const cleanupSync = () => {
    for (const c of children) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    killAllSync(ip, name);
    ipRun(ip, ['link', 'del', hostIf]);
    ipRun(ip, ['netns', 'del', name]);
  };
  live.set(name, cleanupSync);

  try {
    must(ip, ['netns', 'add', name]);
    must(ip, ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', name]);
    must(ip, ['addr', 'add', `${hostAddr}/${prefix}`, 'dev', hostIf]);
    must(ip, ['link', 'set', hostIf, 'up']);
    must(ip, ['-n', name, 'addr', 'add', `${nsAddr}/${prefix}`, 'dev', nsIf]);
    must(ip, ['-n', name, 'link', 'set', nsIf, 'up']);
    must(ip, ['-n', name, 'link', 'set', 'lo', 'up']);
    // No default route inside: the namespace can reach only the host side of its own link.
    // Wait until the link is up on both sides (veth carrier comes up asynchronously).
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 5000);
    for (;;) {
      const h = ipRun(ip, ['-o', 'link', 'show', hostIf]).out;
      const i = ipRun(ip, ['-n', name, '-o', 'link', 'show', nsIf]).out;
      if (/state UP/.test(h) && /state UP/.test(i)) break;
      if (Date.now() > deadline) throw new Error(`veth ${hostIf}/${nsIf} did not come up: ${h} | ${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    cleanupSync();
    live.delete(name);
    throw e;
  }

  let closing: Promise<void> | undefined;
  return {
    name,
    hostIf,
    hostAddr,
    nsIf,
    nsAddr,
    prefix,
    run(cmd, args, timeoutMs = 30_000) {
      const r = spawnSync(ip, ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8', timeout: timeoutMs });
      return { code: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
    },
    spawn(cmd, args, spawnOpts = {}) {
      // `ip netns exec` execs the command, so the child's pid is the command's pid.
      const c = spawn(ip, ['netns', 'exec', name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOpts });
      children.add(c);
      c.once('exit', () => children.delete(c));
      return c;
    },
    pids: () => nsPids(ip, name),
    close() {
      closing ??= (async () => {
        // Polite first: SIGTERM everything inside, give it 2 s, then SIGKILL.
        for (const pid of nsPids(ip, name)) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }
        const deadline = Date.now() + 2000;
        while (nsPids(ip, name).some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        cleanupSync();
        // Reap our own children so their pids are really gone when close() resolves.
        await Promise.all(
          [...children].map(
            (c) =>
              new Promise<void>((r) => {
                if (c.exitCode !== null || c.signalCode !== null) return r();
                const t = setTimeout(r, 2000);
                c.once('exit', () => {
                  clearTimeout(t);
                  r();
                });
              }),
          ),
        );
        live.delete(name);
      })();
      return closing;
    },
  };
}

/** Deletes hil-ns-<pid>-* namespaces whose creating process is gone (CI teardown, crashed runs). */
export function sweepStaleNetns(): string[] {
  const ip = ipBin();
  const removed: string[] = [];
  const list = ipRun(ip, ['netns', 'list']).out;
  for (const line of list.split('\n')) {
    const m = /^(hil-ns-(\d+)-\d+)/.exec(line.trim());
    if (!m || alive(Number(m[2]))) continue;
    killAllSync(ip, m[1]!);
    ipRun(ip, ['netns', 'del', m[1]!]);
    removed.push(m[1]!);
  }
  return removed;
}
