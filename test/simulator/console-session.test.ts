// Console session behaviours that are not flaws: the line dropped after N failed logins
// (consoleDropAfterFailures) and a session per connection (consoleLogoutCloses), on the raw TCP
// console and the socat pty.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_OPERATOR_PASSWORD, SIM_ACCOUNT_NAMES, startSimulator, type Simulator, type StartOptions } from '../../simulators/gateway/index.ts';
import { needParts } from '../support/real-parts.ts';
import { ptyConsole, tcpConsole } from './sim-test-kit.ts';

const parts = await needParts('socat');
const OPER = process.env.HIL_SIM_OPERATOR_PASSWORD || DEFAULT_OPERATOR_PASSWORD;
const CON = SIM_ACCOUNT_NAMES.console;

const closedWithin = (sock: import('node:net').Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (sock.destroyed || sock.readableEnded) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    sock.once('close', () => { clearTimeout(t); resolve(true); });
  });

describe.skipIf(parts.skip)('console session model', () => {
  const sims: Simulator[] = [];
  const closers: (() => unknown)[] = [];
  const sim = async (o: Omit<StartOptions, 'opcua'>) => { const s = await startSimulator({ ...o, opcua: false }); sims.push(s); return s; };
  beforeAll(() => parts.assert());
  afterAll(async () => {
    for (const c of closers) await c();
    for (const s of sims) await s.stop();
  });

  test('TCP: the third failed login drops the connection (no failure text), the lock still counts it', async () => {
    const s = await sim({ profile: 'hardened', config: { switches: { consoleDropAfterFailures: 3 }, params: { lockoutThreshold: 3, lockoutDurationMs: 60_000 } } });
    const c = await tcpConsole(s.endpoints.console.tcp);
    closers.push(c.close);
    for (let i = 0; i < 2; i++) await c.reader.login(CON.operator, 'nope', /Authentication failed\r\n/);
    const last = await c.reader.login(CON.operator, 'nope', /Maximum number of tries exceeded \(3\)\r\n/);
    expect(last).not.toContain('Authentication failed');
    expect(await closedWithin(c.sock, 2000)).toBe(true);
    // A new connection is a new session, and the account is locked by the three failures.
    const c2 = await tcpConsole(s.endpoints.console.tcp);
    closers.push(c2.close);
    expect(await c2.reader.login(CON.operator, OPER, /(account suspended|\]\$ )/)).toMatch(/account suspended/);
  });

  test('TCP without the switch: the line stays up after many failures', async () => {
    const s = await sim({ profile: 'weak' });
    const c = await tcpConsole(s.endpoints.console.tcp);
    closers.push(c.close);
    for (let i = 0; i < 5; i++) await c.reader.login(CON.operator, 'nope', /Authentication failed\r\n/);
    expect(await closedWithin(c.sock, 300)).toBe(false);
    await c.reader.login(CON.operator, OPER, /\]\$ $/);
  });

  test('pty: a dropped serial line starts a new session (banner and login prompt), the failure count starts again', async () => {
    const s = await sim({ profile: 'weak', config: { switches: { consoleDropAfterFailures: 2 } } });
    const c = await ptyConsole(s.endpoints.console.pty!);
    closers.push(c.close);
    await c.reader.login(CON.operator, 'nope', /Authentication failed\r\n/);
    await c.reader.login(CON.operator, 'nope', /Maximum number of tries exceeded \(2\)\r\n/);
    await c.reader.waitFor(/GW-SIM login: $/);
    await c.reader.login(CON.operator, 'nope', /Authentication failed\r\n/);
    await c.reader.login(CON.operator, OPER, /\]\$ $/);
  });

  test('TCP: logout closes the connection with consoleLogoutCloses; without it the login prompt returns', async () => {
    const s = await sim({ profile: 'hardened', config: { switches: { consoleLogoutCloses: true } } });
    const c = await tcpConsole(s.endpoints.console.tcp);
    closers.push(c.close);
    await c.reader.login(CON.operator, OPER, /\]\$ $/);
    await c.reader.command('logout', /Logged out\r\n/);
    expect(await closedWithin(c.sock, 2000)).toBe(true);
    expect(c.reader.buf).not.toMatch(/login: $/);

    const plain = await sim({ profile: 'hardened' });
    const p = await tcpConsole(plain.endpoints.console.tcp);
    closers.push(p.close);
    await p.reader.login(CON.operator, OPER, /\]\$ $/);
    await p.reader.command('logout', /GW-SIM login: $/);
    expect(await closedWithin(p.sock, 300)).toBe(false);
  });

  test('TCP: an idle logout closes the connection with consoleLogoutCloses', async () => {
    const s = await sim({ profile: 'hardened', config: { switches: { consoleLogoutCloses: true }, params: { idleTimeoutMs: 400 } } });
    const c = await tcpConsole(s.endpoints.console.tcp);
    closers.push(c.close);
    await c.reader.login(CON.operator, OPER, /\]\$ $/);
    await c.reader.waitFor(/Idle session closed\r\n/, 3000);
    expect(await closedWithin(c.sock, 2000)).toBe(true);
  });
});
