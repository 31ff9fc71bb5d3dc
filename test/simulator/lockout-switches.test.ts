// The lockout flaw switches of the account store, without sockets (fast): each changes exactly
// one property of the hardened lock (counter per account and database, lock per account, fixed length).
import { describe, expect, test } from 'vitest';
import { AccountStore } from '../../simulators/gateway/account-store.ts';
import { AlertSink } from '../../simulators/gateway/alerts.ts';
import { profilePreset, SIM_ACCOUNT_NAMES } from '../../simulators/gateway/profiles.ts';
import { resolveSimConfig } from '../../simulators/gateway/sim-config.ts';

const CON = SIM_ACCOUNT_NAMES.console;
const conn = (connection: string, source = '127.0.0.1') => ({ source, connection });

function mk(switches: Record<string, boolean> = {}) {
  let now = 0;
  const cfg = resolveSimConfig(profilePreset('hardened'), { params: { lockoutDurationMs: 1000, lockoutThreshold: 3 }, switches });
  const store = new AccountStore(cfg, new AlertSink(true), () => now);
  return { store, advance: (ms: number) => { now += ms; }, op: cfg.accounts.operatorPassword, admin: cfg.accounts.adminPassword };
}

describe('lockout switches of the simulator', () => {
  test('hardened: failures over three connections and both console endpoints lock the account, not its neighbour; the lock is not extended', () => {
    const { store, advance, op, admin } = mk();
    store.authenticate(CON.operator, 'x', 'console', conn('serial', 'serial'));
    store.authenticate(CON.operator, 'x', 'console-tcp', conn('c1'));
    store.authenticate(CON.operator, 'x', 'console-tcp', conn('c2'));
    expect(store.authenticate(CON.operator, op, 'console-tcp', conn('c3'))).toMatchObject({ ok: false, reason: 'locked' });
    expect(store.authenticate(CON.admin, admin, 'console-tcp', conn('c3')).ok).toBe(true);
    advance(900);
    store.authenticate(CON.operator, 'x', 'console-tcp', conn('c4'));
    advance(101);
    expect(store.authenticate(CON.operator, op, 'console-tcp', conn('c5')).ok).toBe(true);
  });

  test('lockoutCounterPerConnection: failures on new connections never lock; on one connection they do', () => {
    const { store, op } = mk({ lockoutCounterPerConnection: true });
    for (let i = 0; i < 6; i++) store.authenticate(CON.operator, 'x', 'console-tcp', conn(`c${i}`));
    expect(store.authenticate(CON.operator, op, 'console-tcp', conn('c9')).ok).toBe(true);
    for (let i = 0; i < 3; i++) store.authenticate(CON.operator, 'x', 'console-tcp', conn('same'));
    expect(store.authenticate(CON.operator, op, 'console-tcp', conn('other'))).toMatchObject({ ok: false, reason: 'locked' });
  });

  test('consoleEndpointsSeparateCounters: failures spread over serial and TCP do not lock; three on one endpoint do', () => {
    const { store, op } = mk({ consoleEndpointsSeparateCounters: true });
    for (const s of ['console', 'console-tcp', 'console', 'console-tcp'] as const) store.authenticate(CON.operator, 'x', s, conn(s));
    expect(store.authenticate(CON.operator, op, 'console').ok).toBe(true);
    for (let i = 0; i < 3; i++) store.authenticate(CON.operator, 'x', 'console-tcp', conn(`c${i}`));
    expect(store.authenticate(CON.operator, op, 'console')).toMatchObject({ ok: false, reason: 'locked' });
  });

  test('lockoutPerSource: the lock holds every account from that source and none from another', () => {
    const { store, op, admin } = mk({ lockoutPerSource: true });
    for (let i = 0; i < 3; i++) store.authenticate(CON.operator, 'x', 'console-tcp', conn(`c${i}`, '10.0.0.1'));
    expect(store.authenticate(CON.admin, admin, 'console-tcp', conn('c9', '10.0.0.1'))).toMatchObject({ ok: false, reason: 'locked' });
    expect(store.authenticate(CON.operator, op, 'console-tcp', conn('c9', '10.0.0.2')).ok).toBe(true);
  });

  test('lockExtendedByAttempts: a wrong password during the lock restarts it; the good one does not', () => {
    const { store, advance, op } = mk({ lockExtendedByAttempts: true });
    for (let i = 0; i < 3; i++) store.authenticate(CON.operator, 'x', 'console');
    advance(500);
    expect(store.authenticate(CON.operator, op, 'console').ok).toBe(false);
    advance(501);
    expect(store.authenticate(CON.operator, op, 'console').ok).toBe(true);
    for (let i = 0; i < 3; i++) store.authenticate(CON.operator, 'x', 'console');
    advance(900);
    store.authenticate(CON.operator, 'x', 'console');
    advance(200);
    expect(store.authenticate(CON.operator, op, 'console')).toMatchObject({ ok: false, reason: 'locked' });
    advance(801);
    expect(store.authenticate(CON.operator, op, 'console').ok).toBe(true);
  });
});
