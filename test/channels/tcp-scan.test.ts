// The port step's engines: nmap's XML read port by port, the range cut into parallel slices, the
// engine choice with its fallback, the cross-check by connect, and in a network namespace the full
// 1-65535 range equal to what the built-in connect scanner and a plain `nmap -sT` find.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nmapArgs, scanTcpWithNmap, slicePorts, slicesFor } from '../../harness/protocols/network/nmap-scan.js';
import { availableParallelism } from 'node:os';
import { compressRanges, expandRanges, parseNmapTcpXml } from '../../harness/protocols/network/nmap-xml.js';
import { parsePorts, scanTcp } from '../../harness/protocols/network/port-probe.js';
import { scanEngineFromEnv, scanTcpPorts } from '../../harness/protocols/network/tcp-scan.js';
import { createNetns, type NetNs } from '../support/netns.js';
import { needParts } from '../support/real-parts.js';
import { closedPort, useTestCleanups } from './helpers.js';

const { cleanups, evidence } = useTestCleanups();
const nmap = await needParts('nmap');
const netns = await needParts('netns', 'nmap');

async function listener(host = '127.0.0.1'): Promise<number> {
  const s: Server = createServer((c) => c.destroy());
  await new Promise<void>((r) => s.listen(0, host, r));
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  return (s.address() as AddressInfo).port;
}

const XML = `<?xml version="1.0"?><nmaprun><host><ports><extraports state="closed" count="7">
<extrareasons reason="reset" count="7" proto="tcp" ports="1-3,5-8"/>
</extraports>
<extraports state="filtered" count="2">
<extrareasons reason="no-response" count="2" proto="tcp" ports="9-10"/>
</extraports>
<port protocol="tcp" portid="4"><state state="open" reason="syn-ack" reason_ttl="64"/></port>
</ports></host><runstats><finished time="1" exit="success"/></runstats></nmaprun>`;

describe('nmap report and slices', () => {
  test('every port of the report gets its state, folded ranges included', () => {
    const r = parseNmapTcpXml(XML);
    expect(r.finished).toBe('success');
    expect([...r.states.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 'closed'], [2, 'closed'], [3, 'closed'], [4, 'open'], [5, 'closed'], [6, 'closed'], [7, 'closed'], [8, 'closed'], [9, 'filtered'], [10, 'filtered'],
    ]);
    expect(parseNmapTcpXml('<nmaprun>').finished).toBe('missing');
    expect(() => parseNmapTcpXml('<port protocol="tcp" portid="1"><state state="bogus"')).toThrow();
  });

  test('ranges round-trip and slices cover the list once, in order', () => {
    expect(compressRanges([1, 2, 3, 5, 7, 8])).toBe('1-3,5,7-8');
    expect(expandRanges('1-3,5,7-8')).toEqual([1, 2, 3, 5, 7, 8]);
    const all = parsePorts('1-65535');
    const s = slicePorts(all, 3);
    expect(s).toHaveLength(3);
    expect(s.flat()).toEqual(all);
    expect(slicePorts([5], 4)).toEqual([[5]]);
    const a = nmapArgs('10.0.0.2', [1, 2, 3], '-sT', 800, 256);
    expect(a).toEqual(expect.arrayContaining(['-sT', '-Pn', '-n', '--max-rtt-timeout', '800ms', '--min-parallelism', '256', '-p', '1-3', '-oX', '-']));
    expect(a.at(-1)).toBe('10.0.0.2');
  });

  test('the cores are shared between the scans running at once: at least one slice each, at most 4', () => {
    expect([slicesFor(2, 1), slicesFor(2, 2), slicesFor(2, 16), slicesFor(8, 1), slicesFor(8, 3), slicesFor(1, 0)]).toEqual([2, 1, 1, 4, 1, 1]);
  });

  test('HIL_SCAN_ENGINE is validated', () => {
    expect(scanEngineFromEnv({})).toBe('auto');
    expect(scanEngineFromEnv({ HIL_SCAN_ENGINE: 'builtin' })).toBe('builtin');
    expect(() => scanEngineFromEnv({ HIL_SCAN_ENGINE: 'masscan' })).toThrow(/auto, nmap or builtin/);
  });
});

describe.skipIf(nmap.skip)('nmap engine on loopback', () => {
  test('open and closed ports equal the built-in scanner; XML attached; open ports confirmed by connect', async () => {
    nmap.assert();
    const ev = evidence();
    const a = await listener();
    const b = await listener();
    const c = await closedPort();
    const ports = [a, b, c];
    const r = await scanTcpPorts('127.0.0.1', ports, { timeoutMs: 500 }, { evidence: ev.evidence });
    expect(r.engine).toMatch(/^nmap -s[ST]$/);
    expect(r.open).toEqual([a, b].sort((x, y) => x - y));
    expect(r.state(c)).toBe('closed');
    expect(r.errors).toEqual([]);
    const builtin = await scanTcp('127.0.0.1', ports, { timeoutMs: 500 }, { evidence: ev.evidence });
    expect(builtin.open).toEqual(r.open);
    const recs = ev.records();
    expect(recs.some((x) => String(x.text).startsWith('attachment attachments/nmap-tcp-127_0_0_1-'))).toBe(true);
    expect(recs.some((x) => x.attrs?.engine === r.engine && /3 ports, 2 open, 1 closed/.test(String(x.text)))).toBe(true);
  });

  test('builtin asked for: the built-in scanner runs and says why', async () => {
    const ev = evidence();
    const a = await listener();
    const r = await scanTcpPorts('127.0.0.1', [a], { engine: 'builtin', timeoutMs: 500 }, { evidence: ev.evidence });
    expect(r).toMatchObject({ engine: 'builtin connect', open: [a] });
    expect(r.fallback).toMatch(/HIL_SCAN_ENGINE=builtin/);
  });

  test('nmap that cannot run: the built-in scanner takes over (auto) or the step fails (nmap required)', async () => {
    const ev = evidence();
    const a = await listener();
    await expect(scanTcpWithNmap('127.0.0.1', [a], { timeoutMs: 500, bin: '/nonexistent/nmap' })).rejects.toMatchObject({ kind: 'setup' });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const r = await scanTcpPorts('127.0.0.1', [a], { timeoutMs: 500 }, { evidence: ev.evidence });
      expect(r).toMatchObject({ engine: 'builtin connect', open: [a], fallback: 'nmap not installed' });
      await expect(scanTcpPorts('127.0.0.1', [a], { engine: 'nmap', timeoutMs: 500 }, { evidence: ev.evidence })).rejects.toMatchObject({ kind: 'setup' });
    } finally {
      process.env.PATH = path;
    }
  });

  test('cancel kills the nmap processes and throws aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(scanTcpPorts('127.0.0.1', '1-65535', { signal: ac.signal }, { evidence: evidence().evidence })).rejects.toMatchObject({ kind: 'aborted' });
    // Our own nmap children only (others may scan on this machine at the same time).
    expect(spawnSync('pgrep', ['-P', String(process.pid), '-x', 'nmap'], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });
});

describe.skipIf(netns.skip)('full range in a network namespace', () => {
  let ns: NetNs;
  let child: ChildProcess;
  const PORTS = [22, 502, 1883, 4840, 8080, 40000, 65535];
  beforeAll(async () => {
    netns.assert();
    ns = await createNetns();
    const code = `const net=require('node:net');let n=0;for(const p of ${JSON.stringify(PORTS)})net.createServer(s=>s.destroy()).listen(p,process.argv[1],()=>{if(++n===${PORTS.length})console.log('listening')});`;
    child = ns.spawn(process.execPath, ['-e', code, ns.nsAddr]);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      child.once('exit', (c) => reject(new Error(`listener exited ${c}`)));
    });
  }, 30_000);
  afterAll(async () => {
    await ns?.close();
  });

  test('1-65535: the engine, the built-in scanner and nmap -sT find the same open set', { timeout: 120_000 }, async () => {
    const ev = evidence();
    const r = await scanTcpPorts(ns.nsAddr, '1-65535', {}, { evidence: ev.evidence });
    expect(r.engine).toMatch(/^nmap /);
    expect(r.scanned).toBe(65535);
    expect(r.open).toEqual(PORTS);
    expect(r.open.length + r.closed + r.filtered.length + r.errors.length).toBe(65535);
    expect(r.errors).toEqual([]);
    const builtin = await scanTcp(ns.nsAddr, '1-65535', {}, { evidence: ev.evidence });
    expect(builtin.open).toEqual(PORTS);
    const ref = spawnSync('nmap', ['-sT', '-p-', '-n', '-Pn', '-oX', '-', ns.nsAddr], { encoding: 'utf8', timeout: 100_000 });
    const refOpen = [...parseNmapTcpXml(ref.stdout).states].filter(([, s]) => s === 'open').map(([p]) => p).sort((a, b) => a - b);
    expect(refOpen).toEqual(PORTS);
  });

  test('two scans at once (a fleet) share the cores: the second gets its share of slices, both find the same open set', { timeout: 120_000 }, async () => {
    const [first, second] = await Promise.all([
      scanTcpWithNmap(ns.nsAddr, parsePorts('1-65535'), { timeoutMs: 1000 }),
      scanTcpWithNmap(ns.nsAddr, parsePorts('1-65535'), { timeoutMs: 1000 }),
    ]);
    expect(first.slices).toHaveLength(slicesFor(availableParallelism(), 1));
    expect(second.slices).toHaveLength(slicesFor(availableParallelism(), 2));
    for (const r of [first, second]) expect([...r.states].filter(([, st]) => st === 'open').map(([port]) => port).sort((a, b) => a - b)).toEqual(PORTS);
  });
});
