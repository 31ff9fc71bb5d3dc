// Network namespace helper: a listener inside is reachable from the host over the veth, the
// host's loopback listeners are invisible inside, and close() leaves nothing behind.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNetns, type NetNs } from '../support/netns.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('netns');

function exchange(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = connect({ host, port });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`timeout talking to ${host}:${port}`));
    });
    s.on('data', (d) => (data += d.toString()));
    s.once('end', () => resolve(data));
    s.once('error', reject);
  });
}

const SERVER = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
net.createServer((s) => s.end('hello-from-ns\\n')).listen(Number(port), host, () => console.log('listening'));
`;

function waitForLine(child: ChildProcess, text: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms: ${out}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(t);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`exited ${code}: ${out}`));
    });
  });
}

describe.skipIf(parts.skip)('network namespace helper', () => {
  let ns: NetNs;
  let hostServer: Server;
  let hostPort = 0;
  beforeAll(async () => {
    parts.assert();
    ns = await createNetns();
    hostServer = createServer((s) => s.end('host\n'));
    await new Promise<void>((r) => hostServer.listen(0, '127.0.0.1', r));
    hostPort = (hostServer.address() as { port: number }).port;
  });
  afterAll(async () => {
    await ns?.close();
    await new Promise<void>((r) => (hostServer ? hostServer.close(() => r()) : r()));
  });

  test('a listener inside the namespace is reachable from the host at the namespace address', async () => {
    expect(ns.nsAddr).toMatch(/^10\.200\.\d+\.\d+$/);
    const child = ns.spawn(process.execPath, ['-e', SERVER, ns.nsAddr, '7777']);
    await waitForLine(child, 'listening');
    expect(ns.pids()).toContain(child.pid);
    expect(await exchange(ns.nsAddr, 7777)).toBe('hello-from-ns\n');
  });

  test('the namespace has its own loopback: the host listener is not visible inside', () => {
    const probe = `require('node:net').connect(${hostPort}, '127.0.0.1').on('connect', () => { console.log('open'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
    const r = ns.run(process.execPath, ['-e', probe]);
    expect(r.stdout.trim()).toBe('ECONNREFUSED');
    // Listening sockets inside: only our server.
    const ss = ns.run('ss', ['-Hltn']);
    expect(ss.code).toBe(0);
    const listening = ss.stdout.trim().split('\n').filter(Boolean);
    expect(listening).toHaveLength(1);
    expect(listening[0]).toContain(`${ns.nsAddr}:7777`);
  });

  test('close() kills what runs inside and deletes the namespace and veth', async () => {
    const pids = ns.pids();
    expect(pids.length).toBeGreaterThan(0);
    await ns.close();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(ns.name);
    expect(spawnSync('ip', ['link', 'show', ns.hostIf]).status).not.toBe(0);
    // No connection attempt to nsAddr here: with the veth gone it would route via the default
    // gateway, i.e. off this machine (the network rule forbids that).
  });
});
