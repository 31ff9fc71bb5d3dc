// Console over the socat pty (serialport) and over raw TCP: login, lockout, idle timeout,
// default credential, password policy, privilege separation, debug port.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD, DEFAULT_OPERATOR_PASSWORD, startSimulator, type Simulator, type StartOptions } from '../../simulators/gateway/index.ts';
import { needParts } from '../support/real-parts.ts';
import { ptyConsole, sleep, tcpConsole } from './sim-test-kit.ts';

const parts = await needParts('socat');
const ADMIN = process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
const OPER = process.env.HIL_SIM_OPERATOR_PASSWORD || DEFAULT_OPERATOR_PASSWORD;

describe.skipIf(parts.skip)('console', () => {
  const sims: Simulator[] = [];
  const closers: (() => unknown)[] = [];
  const sim = async (o: Omit<StartOptions, 'opcua'>) => { const s = await startSimulator({ ...o, opcua: false }); sims.push(s); return s; };
  const tcp = async (s: Simulator) => { const c = await tcpConsole(s.endpoints.console.tcp); closers.push(c.close); return c.reader; };
  beforeAll(() => parts.assert());
  afterAll(async () => {
    for (const c of closers) await c();
    for (const s of sims) await s.stop();
  });

  test('pty: banner, login, admin prompt, status, no password echo, reopen of the harness side', async () => {
    const s = await sim({ profile: 'hardened' });
    const c = await ptyConsole(s.endpoints.console.pty!);
    const out = await c.reader.login('admin', ADMIN, /gw# $/);
    expect(out).not.toContain(ADMIN);
    const status = await c.reader.command('show status', /gw# $/);
    expect(status).toMatch(/heaterSetpoint: 45\.0 degC\r\n/);
    expect(status).toMatch(/safeState: (true|false)/);
    await c.reader.command('logout', /gateway login: $/);
    await c.close();
    // The console stays usable for the next open of the harness side.
    const c2 = await ptyConsole(s.endpoints.console.pty!);
    closers.push(c2.close);
    await c2.reader.login('operator', OPER, /gw> $/);
  });

  test('wrong password -> Login incorrect; lockout refuses the correct password during T, accepts after', async () => {
    const s = await sim({ profile: 'hardened', config: { params: { lockoutThreshold: 3, lockoutDurationMs: 1500 } } });
    const r = await tcp(s);
    for (let i = 0; i < 3; i++) expect(await r.login('operator', 'nope', /Login incorrect\r\n/)).toContain('Login incorrect');
    const lockedAt = Date.now();
    expect(await r.login('operator', OPER, /(Account locked|gw> )/)).toMatch(/Account locked/);
    // reconnecting does not reset it
    const r2 = await tcp(s);
    expect(await r2.login('operator', OPER, /(Account locked|gw> )/)).toMatch(/Account locked/);
    await sleep(Math.max(0, 1500 - (Date.now() - lockedAt)) + 100);
    await r2.login('operator', OPER, /gw> $/);
    expect(s.alerts.log.some((a) => a.event === 'account-locked' && a.user === 'operator')).toBe(true);
  });

  test('weak: no lockout, vendor default admin/admin accepted', async () => {
    const s = await sim({ profile: 'weak' });
    const r = await tcp(s);
    for (let i = 0; i < 5; i++) await r.login('admin', 'nope', /Login incorrect\r\n/);
    await r.login('admin', ADMIN, /gw# $/);
    await r.command('logout', /gateway login: $/);
    await r.login('admin', 'admin', /gw# $/);
  });

  test('hardened: default credential absent; must-change allows only passwd', async () => {
    const h = await tcp(await sim({ profile: 'hardened' }));
    await h.waitFor(/gateway login: $/);
    expect(await h.command('show status', /gateway login: $/)).not.toMatch(/Password|heaterSetpoint:/); // no shell before login
    await h.login('admin', 'admin', /Login incorrect\r\n/);
    const s = await sim({ profile: 'hardened', config: { switches: { defaultCredential: 'must-change' } } });
    const r = await tcp(s);
    expect(await r.login('admin', 'admin', /gw# $/)).toMatch(/must be changed/);
    expect(await r.command('show status', /gw# $/)).toContain('Error: password change required');
    expect(await r.command('passwd admin Brand-New-Passw0rd', /gw# $/)).toContain('Password changed');
    expect(await r.command('show status', /gw# $/)).toContain('heaterSetpoint');
    await r.command('logout', /gateway login: $/);
    await r.login('admin', 'admin', /Login incorrect\r\n/);
    await r.login('admin', 'Brand-New-Passw0rd', /gw# $/);
  });

  test('password policy on/off, and a changed password applies on every surface', async () => {
    const s = await sim({ profile: 'hardened' });
    const r = await tcp(s);
    await r.login('operator', OPER, /gw> $/);
    expect(await r.command('passwd x Another-Passw0rd-9')).toContain('Error: current password incorrect');
    expect(await r.command(`passwd ${OPER} short`)).toMatch(/Error: password must be at least 12/);
    expect(await r.command(`passwd ${OPER} ${OPER}`)).toMatch(/Error: password must differ/);
    expect(await r.command(`passwd ${OPER} Another-Passw0rd-9`)).toContain('Password changed');
    expect(s.accounts.authenticate('operator', OPER, 'mqtt').ok).toBe(false);
    expect(s.accounts.authenticate('operator', 'Another-Passw0rd-9', 'opcua').ok).toBe(true);
    const w = await tcp(await sim({ profile: 'weak' }));
    await w.login('operator', OPER, /gw> $/);
    expect(await w.command(`passwd ${OPER} 1234`)).toContain('Password changed');
  });

  test('privilege separation and console range check (hardened) vs none (weak)', async () => {
    const hs = await sim({ profile: 'hardened' });
    const h = await tcp(hs);
    await h.login('operator', OPER, /gw> $/);
    expect(await h.command('set heaterSetpoint 50')).toContain('Error: permission denied');
    await h.command('logout', /gateway login: $/);
    await h.login('admin', ADMIN, /gw# $/);
    expect(await h.command('set heaterSetpoint 95')).toContain('Error: value out of range');
    expect(await h.command('set heaterSetpoint 60')).toContain('heaterSetpoint = 60');
    expect(hs.model.commanded.heaterSetpoint).toBe(60);
    const ws = await sim({ profile: 'weak' });
    const w = await tcp(ws);
    await w.login('operator', OPER, /gw> $/);
    expect(await w.command('set heaterSetpoint 95')).toContain('heaterSetpoint = 95');
    expect(ws.model.commanded.heaterSetpoint).toBe(95);
    expect(await w.command('show users')).toMatch(/admin\s+admin/);
  });

  test('idle timeout returns to the login prompt (hardened); weak never times out', async () => {
    const hs = await sim({ profile: 'hardened', config: { params: { idleTimeoutMs: 500 } } });
    const h = await tcp(hs);
    // The password line is the last input, sent after t0: the logout cannot come sooner than 500 ms after t0.
    const t0 = Date.now();
    await h.login('admin', ADMIN, /gw# $/);
    expect(await h.waitFor(/gateway login: $/, 2000)).toContain('Session timed out due to inactivity');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    const w = await tcp(await sim({ profile: 'weak', config: { params: { idleTimeoutMs: 500 } } }));
    await w.login('admin', ADMIN, /gw# $/);
    await sleep(900);
    expect(w.buf).not.toContain('timed out');
    expect(await w.command('help')).toContain('show status');
  });

  test('consoleLoginRequired off: straight to the admin shell', async () => {
    const r = await tcp(await sim({ profile: 'hardened', config: { switches: { consoleLoginRequired: false } } }));
    await r.waitFor(/gw# $/);
  });

  test('debug port: root shell without login in weak, absent in hardened', async () => {
    const ws = await sim({ profile: 'weak' });
    expect(ws.endpoints.debug).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(ws.endpoints.tcpPorts).toContain(Number(new URL(ws.endpoints.debug!).port));
    const c = await tcpConsole(ws.endpoints.debug!);
    closers.push(c.close);
    await c.reader.waitFor(/root@gw:~# $/);
    expect(await c.reader.command('id', /root@gw:~# $/)).toContain('uid=0(root)');
    const hs = await sim({ profile: 'hardened' });
    expect(hs.endpoints.debug).toBeUndefined();
    expect(hs.endpoints.tcpPorts).toHaveLength(4);
  });
});
