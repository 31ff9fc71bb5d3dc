/**
 * Figure 1 — port scan: all 65535 TCP ports of a simulator, hil's port step (scanTcpPorts, what the
 * port-closure scenario runs: nmap as the engine split across cores, SYN scan as root, every open port
 * confirmed by connect; profile defaults 512 in flight, 1 s per probe) and hil's built-in connect
 * scanner (scanTcp, the fallback when nmap is missing) versus nmap's connect scan on the same target in
 * the same run. All open-port sets must be identical.
 *
 * Target: the simulator runs inside a network namespace the bench creates (veth pair, an address of
 * its own), so the open set is exactly the simulator's and no other program's port can appear or
 * vanish between the two scans. Without root/iproute2 the bench falls back to the shared loopback and
 * compares the open sets only inside the simulator's port block (other programs' ports come and go).
 * Smoke mode scans only the simulator's 1000-port block on loopback.
 *
 * Timing: hil's scans are timed around the scanTcpPorts()/scanTcp() calls in this process; nmap from spawn to exit
 * (its start-up, a few ms, is included — that is what a user of nmap waits for). Tools alternate
 * within each repetition so drifting machine load hits both alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { scanTcp } from '../harness/protocols/network/port-probe.js';
import { scanTcpPorts } from '../harness/protocols/network/tcp-scan.js';
import type { BenchRow } from './report-table.js';
import { summarize } from './stats.js';
import { benchChannelCtx, repoRoot, runTimed, startSimChild, which, type BenchOptions, type FigureResult } from './support.js';

export const NMAP_ARGS = ['-sT', '-p-', '-n', '-Pn'] as const;
export const NMAP_FAST_ARGS = ['-sT', '-p-', '-n', '-Pn', '-T4', '--min-rate', '5000'] as const;

/** Open TCP ports from nmap's XML output (`-oX -`). */
export function parseNmapOpenPorts(xml: string): number[] {
  const open: number[] = [];
  const re = /<port protocol="tcp" portid="(\d+)"><state state="open"/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) open.push(Number(m[1]));
  return open.sort((a, b) => a - b);
}

interface Target {
  host: string;
  ports: string;
  /** Ports the simulator itself listens on (what both tools must report, in the compared range). */
  expected: number[];
  /** Only these ports count when comparing the two open sets (all in netns mode). */
  compare: (p: number) => boolean;
  mode: string;
  close(): Promise<void>;
}

async function netnsTarget(o: BenchOptions): Promise<Target> {
  // test/support/netns.ts is the project's one way to make a namespace (and clean it up on exit).
  const { createNetns } = await import('../test/support/netns.js');
  const ns = await createNetns();
  try {
    const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const child: ChildProcess = ns.spawn(process.execPath, [tsx, join(repoRoot, 'bench/helpers/sim-child.ts'), 'hardened', 'no-opcua', ns.nsAddr], {
      cwd: repoRoot,
      env: process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await new Promise<{ endpoints: { tcpPorts: number[] } }>((resolve, reject) => {
      let buf = '';
      const t = setTimeout(() => reject(new Error('simulator in the namespace did not start in 60 s')), 60_000);
      child.once('exit', (c) => reject(new Error(`simulator in the namespace exited (${c})`)));
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        const line = buf.split('\n').find((l) => l.startsWith('{"ready":true'));
        if (line) {
          clearTimeout(t);
          resolve(JSON.parse(line));
        }
      });
    });
    o.log(`port-scan: simulator in namespace ${ns.name} at ${ns.nsAddr}, ports ${ready.endpoints.tcpPorts.join(', ')}`);
    return {
      host: ns.nsAddr,
      ports: '1-65535',
      expected: [...ready.endpoints.tcpPorts].sort((a, b) => a - b),
      compare: () => true,
      mode: `simulator in a network namespace (${ns.nsAddr} over veth)`,
      close: () => ns.close(),
    };
  } catch (e) {
    await ns.close();
    throw e;
  }
}

async function loopbackTarget(full: boolean): Promise<Target> {
  const sim = await startSimChild({ opcua: false });
  const lo = sim.base;
  const hi = sim.base + 999;
  const tcpPorts = (sim.endpoints as unknown as { tcpPorts: number[] }).tcpPorts;
  return {
    host: '127.0.0.1',
    ports: full ? '1-65535' : `${lo}-${hi}`,
    expected: [...tcpPorts].sort((a, b) => a - b),
    compare: (p) => p >= lo && p <= hi,
    mode: full ? 'shared loopback 127.0.0.1 (open sets compared inside the simulator block)' : `loopback, simulator block ${lo}-${hi} only (smoke)`,
    close: () => sim.stop(),
  };
}

const sameSet = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function benchPortScan(o: BenchOptions): Promise<FigureResult> {
  const problems: string[] = [];
  const nmap = which('nmap');
  let target: Target;
  if (o.smoke) target = await loopbackTarget(false);
  else {
    try {
      target = await netnsTarget(o);
    } catch (e) {
      problems.push(`port scan: network namespace unavailable (${(e as Error).message.split('\n')[0]}); scanned the shared loopback instead`);
      target = await loopbackTarget(true);
    }
  }
  const ctx = benchChannelCtx(o.workDir, 'port-scan');
  const hilMs: number[] = [];
  const builtinMs: number[] = [];
  let engine = '';
  const nmapMs: number[] = [];
  const nmapFastMs: number[] = [];
  const mismatches: string[] = [];
  let scanned = 0;
  let lastOpen: number[] = [];
  try {
    // One untimed warm-up scan: the first scan in a process pays for JIT and socket-table growth.
    if (!o.smoke) {
      await scanTcp(target.host, target.ports, {}, ctx);
      await scanTcpPorts(target.host, target.ports, {}, ctx);
    }
    for (let i = 0; i < o.reps; i++) {
      const t0 = performance.now();
      const r = await scanTcpPorts(target.host, target.ports, {}, ctx);
      hilMs.push(performance.now() - t0);
      engine = r.engine;
      scanned = r.scanned;
      const hilOpen = r.open.filter(target.compare);
      lastOpen = hilOpen;
      if (r.errors.length) mismatches.push(`rep ${i + 1}: hil (${r.engine}) could not probe ${r.errors.length} ports`);
      if (!sameSet(hilOpen, target.expected.filter(target.compare)))
        mismatches.push(`rep ${i + 1}: hil open ${hilOpen.join(',')} ≠ simulator's ${target.expected.join(',')}`);
      const t1 = performance.now();
      const b = await scanTcp(target.host, target.ports, {}, ctx);
      builtinMs.push(performance.now() - t1);
      const bOpen = b.open.filter(target.compare);
      if (b.errors.length) mismatches.push(`rep ${i + 1}: built-in scanner could not probe ${b.errors.length} ports`);
      if (!sameSet(bOpen, hilOpen)) mismatches.push(`rep ${i + 1}: built-in open ${bOpen.join(',')} ≠ hil port step open ${hilOpen.join(',')}`);
      if (!nmap) continue;
      for (const [args, into, label] of [
        [NMAP_ARGS, nmapMs, 'nmap'],
        [NMAP_FAST_ARGS, nmapFastMs, 'nmap -T4'],
      ] as const) {
        // `-p-` is the issue's full range; the smoke run's block replaces it (nmap allows one -p).
        const portArgs = target.ports === '1-65535' ? [...args] : args.map((a) => (a === '-p-' ? `-p${target.ports}` : a));
        const n = await runTimed(nmap, [...portArgs, '-oX', '-', target.host], { timeoutMs: 300_000 });
        if (n.code !== 0) {
          mismatches.push(`rep ${i + 1}: ${label} exited ${n.code}: ${n.stderr.trim().slice(0, 200)}`);
          continue;
        }
        into.push(n.wallMs);
        const nOpen = parseNmapOpenPorts(n.stdout).filter(target.compare);
        if (!sameSet(nOpen, hilOpen)) mismatches.push(`rep ${i + 1}: ${label} open ${nOpen.join(',')} ≠ hil open ${hilOpen.join(',')}`);
      }
    }
  } finally {
    await target.close();
  }
  if (!nmap) problems.push('port scan: nmap not installed (scripts/setup-system.sh installs it); reference not measured');
  problems.push(...mismatches.map((m) => `port scan: ${m}`));
  const hil = { ...summarize(hilMs.map((x) => x / 1000)), unit: 's' };
  const builtin = { ...summarize(builtinMs.map((x) => x / 1000)), unit: 's' };
  const agree = mismatches.length === 0;
  const setNote = `open set ${agree ? 'identical in every repetition' : 'DIFFERED (see problems)'}: ${lastOpen.join(', ')}`;
  const row = (id: string, label: string, args: readonly string[], ms: number[], mine = hil, what = 'port step'): BenchRow => {
    const ref = ms.length ? { ...summarize(ms.map((x) => x / 1000)), unit: 's' } : null;
    return {
      id,
      item: 1,
      figure: `Port scan${what === 'port step' ? '' : ` (${what})`}, ${scanned} TCP ports (${target.mode})`,
      hil: mine,
      referenceName: `${label} (\`nmap ${args.join(' ')}\`)`,
      reference: ref,
      ratio: ref ? mine.median / ref.median : null,
      ratioMeaning: 'hil time / nmap time; < 1 = hil faster',
      repetitions: o.reps,
      notes: `hil: ${what === 'port step' ? `scanTcpPorts, engine ${engine || '?'} (${availableParallelism()} cores), open ports confirmed by connect` : 'scanTcp, one process'}, 512 in flight, 1 s per probe; ${setNote}`,
    };
  };
  return {
    rows: [
      row('port-scan.nmap', 'nmap connect scan', ['-sT', '-p-', '-n', '-Pn'], nmapMs),
      row('port-scan.nmap-t4', 'nmap connect scan, aggressive timing', ['-sT', '-p-', '-n', '-Pn', '-T4', '--min-rate 5000'], nmapFastMs),
      row('port-scan.builtin', 'nmap connect scan', ['-sT', '-p-', '-n', '-Pn'], nmapMs, builtin, 'built-in connect scanner, the fallback'),
    ],
    problems,
  };
}
