import { createServer, Socket, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TcpFaultProxy } from '../../harness/faults/tcp-fault-proxy.js';
import { freeLoopbackPort } from '../support/mosquitto-fixture.js';

// A real echo server behind the proxy; real client sockets in front of it.
let echo: Server;
let echoPort: number;
beforeAll(async () => {
  echo = createServer((s) => { s.on('error', () => undefined); s.pipe(s); });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => echo.close(() => r())));

async function proxy(): Promise<TcpFaultProxy> {
  return TcpFaultProxy.start({ listen: `tcp://127.0.0.1:${await freeLoopbackPort()}`, target: `tcp://127.0.0.1:${echoPort}`, latencyMs: 150 });
}

/** A client that records what it got and how it ended. */
function client(port: number): Promise<{ sock: Socket; got: () => string; ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    let data = '';
    const ended = new Promise<string>((r) => {
      sock.on('error', (e: NodeJS.ErrnoException) => r(e.code ?? e.message));
      sock.on('end', () => r('FIN'));
      sock.on('close', () => r('closed'));
    });
    sock.on('data', (b) => (data += b.toString()));
    sock.once('connect', () => resolve({ sock, got: () => data, ended }));
    sock.once('error', reject);
    sock.connect({ host: '127.0.0.1', port });
  });
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tcp fault proxy', () => {
  test('pass forwards both ways and counts the attempt', async () => {
    const p = await proxy();
    const c = await client(p.port);
    c.sock.write('hello');
    await wait(100);
    expect(c.got()).toBe('hello');
    expect(p.connections).toHaveLength(1);
    expect(p.sessionActiveSince(0)).toBe(true);
    c.sock.destroy();
    await p.close();
  });

  test('cut ends live connections with FIN and accept-closes new ones (still counted)', async () => {
    const p = await proxy();
    const c = await client(p.port);
    p.setMode('cut');
    expect(await c.ended).toBe('FIN');
    const t = performance.now();
    const c2 = await client(p.port);
    expect(await c2.ended).toMatch(/FIN|closed/);
    expect(p.attemptsBetween(t, Infinity)).toHaveLength(1);
    await p.close();
  });

  test('reset sends RST to live and new connections', async () => {
    const p = await proxy();
    const c = await client(p.port);
    p.setMode('reset');
    expect(await c.ended).toBe('ECONNRESET');
    const c2 = await client(p.port).catch((e: NodeJS.ErrnoException) => ({ ended: Promise.resolve(e.code ?? '') }));
    expect(await c2.ended).toBe('ECONNRESET');
    await p.close();
  });

  test('blackhole keeps the connection open and swallows bytes; leaving it resets the broken stream', async () => {
    const p = await proxy();
    const c = await client(p.port);
    p.setMode('blackhole');
    c.sock.write('lost');
    await wait(150);
    expect(c.got()).toBe('');
    expect(c.sock.destroyed).toBe(false);
    p.setMode('pass');
    expect(await c.ended).toBe('ECONNRESET');
    await p.close();
  });

  test('latency delays every chunk by the set time, in order', async () => {
    const p = await proxy();
    const c = await client(p.port);
    p.setMode('latency');
    const t0 = performance.now();
    c.sock.write('a');
    c.sock.write('b');
    while (c.got().length < 2 && performance.now() - t0 < 2000) await wait(5);
    // One delay each way.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(c.got()).toBe('ab');
    c.sock.destroy();
    await p.close();
  });

  test('upstream down: the device connection is accepted (counted) then reset', async () => {
    const dead = await freeLoopbackPort();
    const p = await TcpFaultProxy.start({ listen: `tcp://127.0.0.1:${await freeLoopbackPort()}`, target: `tcp://127.0.0.1:${dead}` });
    const c = await client(p.port);
    expect(await c.ended).toBe('ECONNRESET');
    expect(p.connections[0]!.upstreamConnected).toBe(false);
    expect(p.sessionActiveSince(0)).toBe(false);
    await p.close();
  });
});
