import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { describe, expect, test } from 'vitest';
import { grabBanner, parsePorts, probeUdp, scanTcp } from '../../harness/protocols/network/port-probe.js';
import { closedPort, delay, tcpPeer, useTestCleanups } from './helpers.js';

const { cleanups, evidence } = useTestCleanups();

async function listener(): Promise<number> {
  const s: Server = createServer((c) => c.destroy());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  return (s.address() as AddressInfo).port;
}

test('parsePorts', () => {
  expect(parsePorts('1-3,5, 3')).toEqual([1, 2, 3, 5]);
  expect(parsePorts([80, 22])).toEqual([22, 80]);
  expect(() => parsePorts('0-2')).toThrow(/out of range/);
  expect(() => parsePorts('9-2')).toThrow(/bad port range/);
});

describe('TCP scan', () => {
  test('open and closed ports; evidence has a summary and one record per open port only', async () => {
    const ev = evidence();
    const a = await listener();
    const b = await listener();
    const c = await closedPort();
    const r = await scanTcp('127.0.0.1', [a, b, c], { concurrency: 2, timeoutMs: 500 }, { evidence: ev.evidence });
    expect(r.open).toEqual([a, b].sort((x, y) => x - y));
    expect(r.closed).toBe(1);
    expect(r.state(c)).toBe('closed');
    expect(r.state(a)).toBe('open');
    const recs = ev.records();
    expect(recs.filter((x) => x.attrs?.state === 'open').map((x) => x.attrs?.port).sort()).toEqual([a, b].sort());
    expect(recs.filter((x) => x.text?.includes(`${c}`) && x.text.includes('open'))).toHaveLength(0);
    expect(recs.at(-1)?.text).toMatch(/3 ports, 2 open, 1 closed, 0 filtered/);
    expect(recs).toHaveLength(3);
  });

  const hasPython = spawnSync('python3', ['-V'], { stdio: 'ignore' }).status === 0;
  test.skipIf(!hasPython)('a port that drops SYNs (full accept queue) is filtered after the timeout', async () => {
    const py = spawn('python3', ['-c', "import socket,time\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen(0);print(s.getsockname()[1],flush=True)\ntime.sleep(60)"], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<void>((r) => py.once('exit', () => r()));
    cleanups.push(async () => {
      py.kill('SIGKILL');
      await exited;
    });
    const port = Number(await new Promise<string>((r) => py.stdout!.once('data', (d: Buffer) => r(d.toString().trim()))));
    const filler = connect(port, '127.0.0.1');
    filler.on('error', () => undefined);
    cleanups.push(() => void filler.destroy());
    await delay(100);
    const t0 = Date.now();
    const r = await scanTcp('127.0.0.1', [port], { timeoutMs: 300 }, { evidence: evidence().evidence });
    expect(r.filtered).toEqual([port]);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  test('all 65535 loopback ports, bounded concurrency, in a few seconds', { timeout: 60_000 }, async () => {
    const a = await listener();
    const ev = evidence();
    const r = await scanTcp('127.0.0.1', '1-65535', { concurrency: 512, timeoutMs: 1000 }, { evidence: ev.evidence });
    expect(r.scanned).toBe(65535);
    expect(r.open).toContain(a);
    expect(r.open.length + r.closed + r.filtered.length + r.errors.length).toBe(65535);
    expect(r.errors).toEqual([]);
    console.info(`full loopback scan: ${r.elapsedMs} ms, ${r.open.length} open`);
    expect(r.elapsedMs).toBeLessThan(30_000);
    expect(ev.records().length).toBe(r.open.length + 1);
  });

  test('cancel aborts the scan and releases the sockets', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(scanTcp('127.0.0.1', '1-65535', { signal: ac.signal }, { evidence: evidence().evidence })).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('banner grab', () => {
  test('service that speaks first; silent service nudged with CRLF; closed port', async () => {
    const ev = evidence();
    const talker = await tcpPeer((s) => s.write('SSH-2.0-Fake_1.0\r\n'));
    const quiet = await tcpPeer((s) => s.once('data', () => s.write('HTTP/1.0 400 Bad Request\r\n\r\n')));
    cleanups.push(() => talker.close(), () => quiet.close());
    const ctx = { evidence: ev.evidence };
    const a = await grabBanner('127.0.0.1', talker.port, { timeoutMs: 600 }, ctx);
    expect(a).toMatchObject({ state: 'open', nudged: false });
    expect(a.banner.toString()).toBe('SSH-2.0-Fake_1.0\r\n');
    const b = await grabBanner('127.0.0.1', quiet.port, { timeoutMs: 600 }, ctx);
    expect(b).toMatchObject({ state: 'open', nudged: true });
    expect(b.text).toContain('HTTP/1.0 400');
    const c = await grabBanner('127.0.0.1', await closedPort(), { timeoutMs: 600 }, ctx);
    expect(c.state).toBe('closed');
    expect(ev.records().some((x) => x.dir === 'rx' && x.text?.startsWith('SSH-2.0'))).toBe(true);
  });
});

describe('UDP probe', () => {
  test('answering service is open, ICMP port unreachable is closed, silence is open|filtered', async () => {
    const ev = evidence();
    const echo = createSocket('udp4');
    echo.on('message', (m, rinfo) => echo.send(Buffer.concat([Buffer.from('re:'), m]), rinfo.port, rinfo.address));
    const silent = createSocket('udp4');
    await Promise.all([echo, silent].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
    cleanups.push(
      () => new Promise<void>((r) => echo.close(() => r())),
      () => new Promise<void>((r) => silent.close(() => r())),
    );
    const ctx = { evidence: ev.evidence };
    const o = await probeUdp('127.0.0.1', echo.address().port, 'ping', 500, ctx);
    expect(o).toMatchObject({ state: 'open' });
    expect(o.reply?.toString()).toBe('re:ping');
    // A free UDP port: bind and close to find one.
    const tmp = createSocket('udp4');
    await new Promise<void>((r) => tmp.bind(0, '127.0.0.1', () => r()));
    const freePort = tmp.address().port;
    await new Promise<void>((r) => tmp.close(() => r()));
    expect((await probeUdp('127.0.0.1', freePort, 'ping', 500, ctx)).state).toBe('closed');
    expect((await probeUdp('127.0.0.1', silent.address().port, 'ping', 200, ctx)).state).toBe('open|filtered');
    expect(ev.records().filter((r) => r.endpoints?.proto === 'udp').length).toBeGreaterThanOrEqual(4);
  });
});
