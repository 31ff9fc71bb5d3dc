// Console over the socat pty (serialport) and over raw TCP: login, lockout, idle timeout,
// default credential, password policy, privilege separation, debug port.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD, DEFAULT_OPERATOR_PASSWORD, SIM_ACCOUNT_NAMES, startSimulator, type Simulator, type StartOptions } from '../../simulators/gateway/index.ts';
import { needParts } from '../support/real-parts.ts';
import { ptyConsole, sleep, tcpConsole } from './sim-test-kit.ts';

const parts = await needParts('socat');
const ADMIN = process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
const OPER = process.env.HIL_SIM_OPERATOR_PASSWORD || DEFAULT_OPERATOR_PASSWORD;
const CON = SIM_ACCOUNT_NAMES.console;
const NET = SIM_ACCOUNT_NAMES.network;

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
    const out = await c.reader.login(CON.admin, ADMIN, /\]# $/);
    expect(out).not.toContain(ADMIN);
    const status = await c.reader.command('show status', /\]# $/);
    expect(status).toMatch(/heaterSetpoint: 45\.0 degC\r\n/);
    expect(status).toMatch(/safeState: (true|false)/);
    await c.reader.command('logout', /GW-SIM login: $/);
    await c.close();
    // The console stays usable for the next open of the harness side.
    const c2 = await ptyConsole(s.endpoints.console.pty!);
    closers.push(c2.close);
    await c2.reader.login(CON.operator, OPER, /\]\$ $/);
  });

  test('wrong password -> Authentication failed; lockout refuses the correct password during T, accepts after', async () => {
    const s = await sim({ profile: 'hardened', config: { params: { lockoutThreshold: 3, lockoutDurationMs: 1500 } } });
    const r = await tcp(s);
    for (let i = 0; i < 3; i++) expect(await r.login(CON.operator, 'nope', /Authentication failed\r\n/)).toContain('Authentication failed');
    const lockedAt = Date.now();
    expect(await r.login(CON.operator, OPER, /(account suspended|\]\$ )/)).toMatch(/account suspended/);
    // reconnecting does not reset it
    const r2 = await tcp(s);
    expect(await r2.login(CON.operator, OPER, /(account suspended|\]\$ )/)).toMatch(/account suspended/);
    await sleep(Math.max(0, 1500 - (Date.now() - lockedAt)) + 100);
    await r2.login(CON.operator, OPER, /\]\$ $/);
    expect(s.alerts.log.some((a) => a.event === 'account-locked' && a.user === CON.operator)).toBe(true);
  });

  test('weak: no lockout, vendor default admin/admin accepted', async () => {
    const s = await sim({ profile: 'weak' });
    const r = await tcp(s);
    for (let i = 0; i < 5; i++) await r.login('admin', 'nope', /Authentication failed\r\n/);
    await r.login(CON.admin, ADMIN, /\]# $/);
    await r.command('logout', /GW-SIM login: $/);
    await r.login('admin', 'admin', /\]# $/);
  });

  test('hardened: default credential absent; must-change allows only passwd', async () => {
    const h = await tcp(await sim({ profile: 'hardened' }));
    await h.waitFor(/GW-SIM login: $/);
    expect(await h.command('show status', /GW-SIM login: $/)).not.toMatch(/Password|heaterSetpoint:/); // no shell before login
    await h.login('admin', 'admin', /Authentication failed\r\n/);
    const s = await sim({ profile: 'hardened', config: { switches: { defaultCredential: 'must-change' } } });
    const r = await tcp(s);
    expect(await r.login('admin', 'admin', /\]# $/)).toMatch(/must be changed/);
    expect(await r.command('show status', /\]# $/)).toContain('Refused: password change required');
    expect(await r.command('passwd admin Brand-New-Passw0rd', /\]# $/)).toContain('Passphrase updated');
    expect(await r.command('show status', /\]# $/)).toContain('heaterSetpoint');
    await r.command('logout', /GW-SIM login: $/);
    await r.login('admin', 'admin', /Authentication failed\r\n/);
    await r.login('admin', 'Brand-New-Passw0rd', /\]# $/);
  });

  test('password policy on/off, and a changed password applies on every surface of its account database', async () => {
    const s = await sim({ profile: 'hardened' });
    const r = await tcp(s);
    await r.login(CON.operator, OPER, /\]\$ $/);
    expect(await r.command('passwd x Another-Passw0rd-9')).toContain('Refused: current password incorrect');
    expect(await r.command(`passwd ${OPER} short`)).toMatch(/Refused: password must be at least 12/);
    expect(await r.command(`passwd ${OPER} ${OPER}`)).toMatch(/Refused: password must differ/);
    expect(await r.command(`passwd ${OPER} Another-Passw0rd-9`)).toContain('Passphrase updated');
    // One database for the serial line and the TCP port; the MQTT/OPC UA accounts are another.
    expect(s.accounts.authenticate(CON.operator, OPER, 'console').ok).toBe(false);
    expect(s.accounts.authenticate(CON.operator, 'Another-Passw0rd-9', 'console').ok).toBe(true);
    expect(s.accounts.authenticate(NET.operator, OPER, 'opcua').ok).toBe(true);
    const w = await tcp(await sim({ profile: 'weak' }));
    await w.login(CON.operator, OPER, /\]\$ $/);
    expect(await w.command(`passwd ${OPER} 1234`)).toContain('Passphrase updated');
  });

  test('privilege separation and console range check (hardened) vs none (weak)', async () => {
    const hs = await sim({ profile: 'hardened' });
    const h = await tcp(hs);
    await h.login(CON.operator, OPER, /\]\$ $/);
    expect(await h.command('set heaterSetpoint 50')).toContain('Denied: role operator may not set points');
    await h.command('logout', /GW-SIM login: $/);
    await h.login(CON.admin, ADMIN, /\]# $/);
    expect(await h.command('set heaterSetpoint 95')).toContain('Refused: value out of range');
    expect(await h.command('set heaterSetpoint 60')).toContain('heaterSetpoint = 60');
    expect(hs.model.commanded.heaterSetpoint).toBe(60);
    const ws = await sim({ profile: 'weak' });
    const w = await tcp(ws);
    await w.login(CON.operator, OPER, /\]\$ $/);
    expect(await w.command('set heaterSetpoint 95')).toContain('heaterSetpoint = 95');
    expect(ws.model.commanded.heaterSetpoint).toBe(95);
    expect(await w.command('show users')).toMatch(new RegExp(`${CON.admin}\\s+admin`));
  });

  test('idle timeout returns to the login prompt (hardened); weak never times out', async () => {
    const hs = await sim({ profile: 'hardened', config: { params: { idleTimeoutMs: 500 } } });
    const h = await tcp(hs);
    // The password line is the last input, sent after t0: the logout cannot come sooner than 500 ms after t0.
    const t0 = Date.now();
    await h.login(CON.admin, ADMIN, /\]# $/);
    expect(await h.waitFor(/GW-SIM login: $/, 2000)).toContain('Idle session closed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    const w = await tcp(await sim({ profile: 'weak', config: { params: { idleTimeoutMs: 500 } } }));
    await w.login(CON.admin, ADMIN, /\]# $/);
    await sleep(900);
    expect(w.buf).not.toContain('Idle session closed');
    expect(await w.command('help')).toContain('show status');
  });

  test('consoleLoginRequired off: straight to the admin shell', async () => {
    const r = await tcp(await sim({ profile: 'hardened', config: { switches: { consoleLoginRequired: false } } }));
    await r.waitFor(/\]# $/);
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
