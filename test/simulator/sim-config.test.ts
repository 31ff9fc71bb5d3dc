// Config resolution, profiles, point range checks, process dynamics and the account store,
// without sockets (fast).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { AccountStore } from '../../simulators/gateway/account-store.ts';
import { AlertSink } from '../../simulators/gateway/alerts.ts';
import { checkPointValue } from '../../simulators/gateway/points.ts';
import { ProcessModel } from '../../simulators/gateway/process-model.ts';
import { PROFILE_PRESETS, profilePreset, SIM_ACCOUNT_NAMES } from '../../simulators/gateway/profiles.ts';

const CON = SIM_ACCOUNT_NAMES.console;
const NET = SIM_ACCOUNT_NAMES.network;
import { loadSimConfigFile, resolveSimConfig } from '../../simulators/gateway/sim-config.ts';
import { seededRandom } from '../../simulators/gateway/hostile-servers.ts';

describe('config', () => {
  test('weak is the opposite of hardened on every boolean switch but consoleLoginRequired and hostile', () => {
    const h = PROFILE_PRESETS.hardened.switches, w = PROFILE_PRESETS.weak.switches;
    for (const [k, v] of Object.entries(h)) {
      if (typeof v !== 'boolean' || k === 'consoleLoginRequired' || k === 'hostile') continue;
      expect(w[k as keyof typeof w], k).toBe(!v);
    }
    expect(h.defaultCredential).toBe('absent');
    expect(w.defaultCredential).toBe('accepted');
    expect(w.safeStateOnCommLoss).toBe('hold');
    expect(Object.values(w.rangeCheck)).toEqual(['accept', 'accept', 'accept', 'accept']);
    expect(PROFILE_PRESETS.hostile.switches.hostile).toBe(true);
  });

  test('overrides flip single switches and params, leaving the rest of the preset', () => {
    const c = resolveSimConfig(profilePreset('hardened'), {
      switches: { lockout: false, rangeCheck: { modbus: 'clamp' } },
      params: { watchdogMs: 250, safeValues: { valvePosition: 10 } },
    });
    expect(c.switches.lockout).toBe(false);
    expect(c.switches.rangeCheck).toEqual({ modbus: 'clamp', mqtt: 'reject', opcua: 'reject', console: 'reject' });
    expect(c.params.watchdogMs).toBe(250);
    expect(c.params.safeValues).toEqual({ heaterEnable: false, heaterSetpoint: 0, valvePosition: 10, pumpOn: false });
    expect(c.switches.passwordPolicy).toBe(true);
  });

  test('bad overrides name the field', () => {
    expect(() => resolveSimConfig(profilePreset('hardened'), { switches: { lockout: 'yes' } })).toThrow(/switches\.lockout/);
    expect(() => resolveSimConfig(profilePreset('hardened'), { params: { lockoutThreshold: 0 } })).toThrow(/params\.lockoutThreshold/);
    expect(() => resolveSimConfig(profilePreset('hardened'), { switches: { lockotu: true } })).toThrow(/lockotu/);
  });

  test('loadSimConfigFile reads YAML and JSON and reports file and field on error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simcfg-'));
    const y = join(dir, 'sim.yaml');
    writeFileSync(y, 'profile: weak\nswitches:\n  lockout: true\nparams:\n  lockoutThreshold: 5\nports:\n  modbusTcp: 25502\n');
    expect(loadSimConfigFile(y)).toEqual({ profile: 'weak', switches: { lockout: true }, params: { lockoutThreshold: 5 }, ports: { modbusTcp: 25502 } });
    const j = join(dir, 'sim.json');
    writeFileSync(j, JSON.stringify({ switches: { rangeCheck: { mqtt: 'sometimes' } } }));
    expect(() => loadSimConfigFile(j)).toThrow(/sim\.json[\s\S]*switches\.rangeCheck\.mqtt/);
    expect(() => loadSimConfigFile(join(dir, 'missing.yaml'))).toThrow(/cannot read/);
  });
});

describe('point range checks', () => {
  test.each([
    ['reject', 90, { ok: false, reason: 'out-of-range' }],
    ['clamp', 90, { ok: true, value: 80, clamped: true }],
    ['accept', 90, { ok: true, value: 90, clamped: false }],
    ['reject', '50', { ok: false, reason: 'bad-type' }],
    ['clamp', '50', { ok: false, reason: 'bad-type' }],
    ['accept', '50', { ok: true, value: 50, clamped: false }],
    ['accept', 'hot', { ok: false, reason: 'bad-type' }],
  ] as const)('%s heaterSetpoint=%j', (reaction, value, expected) => {
    expect(checkPointValue('heaterSetpoint', value, reaction)).toEqual(expected);
  });
  test('booleans and unknown points', () => {
    expect(checkPointValue('pumpOn', 1, 'reject')).toEqual({ ok: false, reason: 'bad-type' });
    expect(checkPointValue('pumpOn', 1, 'accept')).toEqual({ ok: true, value: true, clamped: false });
    expect(checkPointValue('temperature', 1, 'accept')).toEqual({ ok: false, reason: 'unknown-point' });
  });
});

describe('process model', () => {
  test('first-order lag, watchdog safe state and recovery (injected clock)', () => {
    let now = 0;
    const m = new ProcessModel({
      params: { watchdogMs: 1000, heartbeatPeriodMs: 100, temperatureTimeConstantMs: 5000, ambientTemperature: 20 },
      safeValues: { heaterEnable: false, heaterSetpoint: 0, valvePosition: 0, pumpOn: false },
      safeStateOnCommLoss: 'safe', now: () => now,
    });
    m.masterTraffic('modbus-tcp');
    now = 5000; m.masterTraffic('modbus-tcp'); m.tick();
    // after one time constant toward 45 from 20: 20 + 25 * (1 - e^-1)
    expect(m.temperature).toBeCloseTo(20 + 25 * (1 - Math.exp(-1)), 5);
    now = 5900; m.tick();
    expect(m.safeState).toBe(false);
    now = 6100; m.tick();
    expect(m.safeState).toBe(true);
    expect(m.actual).toEqual({ heaterEnable: false, heaterSetpoint: 0, valvePosition: 0, pumpOn: false });
    expect(m.commanded.heaterEnable).toBe(true);
    m.masterTraffic('mqtt');
    expect(m.safeState).toBe(false);
    expect(m.actual.heaterEnable).toBe(true);
  });

  test("'hold' keeps the commanded outputs in the safe state", () => {
    let now = 0;
    const m = new ProcessModel({
      params: { watchdogMs: 100, heartbeatPeriodMs: 100, temperatureTimeConstantMs: 5000, ambientTemperature: 20 },
      safeValues: { heaterEnable: false, heaterSetpoint: 0, valvePosition: 0, pumpOn: false },
      safeStateOnCommLoss: 'hold', now: () => now,
    });
    now = 500; m.tick();
    expect(m.safeState).toBe(true);
    expect(m.actual.heaterEnable).toBe(true);
  });
});

describe('account store', () => {
  const mk = (over: object = {}) => {
    let now = 0;
    const cfg = resolveSimConfig(profilePreset('hardened'), { params: { lockoutDurationMs: 1000 }, ...over });
    const alerts = new AlertSink(true);
    return { store: new AccountStore(cfg, alerts, () => now), alerts, advance: (ms: number) => { now += ms; }, cfg };
  };

  test('lockout after N failures refuses the correct password until T has passed, on every surface of the account database', () => {
    const { store, alerts, advance, cfg } = mk();
    const pw = cfg.accounts.operatorPassword;
    for (let i = 0; i < 3; i++) expect(store.authenticate(NET.operator, 'wrong', 'mqtt').ok).toBe(false);
    expect(store.authenticate(NET.operator, pw, 'mqtt')).toMatchObject({ ok: false, reason: 'locked' });
    expect(alerts.log.some((a) => a.event === 'account-locked' && a.user === NET.operator)).toBe(true);
    // The console (serial and TCP) is another database: its accounts are not locked by MQTT failures.
    expect(store.authenticate(CON.operator, pw, 'console-tcp').ok).toBe(true);
    advance(999);
    expect(store.authenticate(NET.operator, pw, 'opcua').ok).toBe(false);
    advance(2);
    expect(store.authenticate(NET.operator, pw, 'opcua').ok).toBe(true);
  });

  test('without lockout, the correct password works after many failures', () => {
    const { store, cfg } = mk({ switches: { lockout: false } });
    for (let i = 0; i < 10; i++) store.authenticate(CON.admin, 'x', 'console');
    expect(store.authenticate(CON.admin, cfg.accounts.adminPassword, 'console').ok).toBe(true);
  });

  test('password policy: length, classes, history; off accepts anything non-empty', () => {
    const { store, cfg } = mk();
    const cur = cfg.accounts.adminPassword;
    expect(store.changePassword(CON.admin, cur, 'Short1!', 'console')).toMatchObject({ ok: false, reason: expect.stringMatching(/at least 12/) });
    expect(store.changePassword(CON.admin, cur, 'alllowercaseletters', 'console')).toMatchObject({ ok: false, reason: expect.stringMatching(/3 of/) });
    expect(store.changePassword(CON.admin, cur, cur, 'console')).toMatchObject({ ok: false, reason: expect.stringMatching(/last 3/) });
    expect(store.changePassword(CON.admin, 'wrong', 'N3w-Passw0rd-2026', 'console')).toMatchObject({ ok: false });
    expect(store.changePassword(CON.admin, cur, 'N3w-Passw0rd-2026', 'console')).toEqual({ ok: true });
    expect(store.authenticate(CON.admin, cur, 'console-tcp').ok).toBe(false);
    expect(store.authenticate(CON.admin, 'N3w-Passw0rd-2026', 'console-tcp').ok).toBe(true);
    expect(store.changePassword(CON.admin, 'N3w-Passw0rd-2026', cur, 'console')).toMatchObject({ ok: false });
    const weak = mk({ switches: { passwordPolicy: false } });
    expect(weak.store.changePassword(CON.admin, weak.cfg.accounts.adminPassword, 'a', 'console')).toEqual({ ok: true });
  });

  test('default credential: absent, must-change, accepted', () => {
    expect(mk().store.authenticate('admin', 'admin', 'console').ok).toBe(false);
    const mc = mk({ switches: { defaultCredential: 'must-change' } });
    expect(mc.store.authenticate('admin', 'admin', 'console')).toMatchObject({ ok: true, mustChangePassword: true });
    expect(mc.store.changePassword('admin', 'admin', 'Fresh-Passw0rd-1', 'console')).toEqual({ ok: true });
    expect(mc.store.authenticate('admin', 'admin', 'console').ok).toBe(false);
    const acc = mk({ switches: { defaultCredential: 'accepted' } });
    expect(acc.store.authenticate('admin', 'admin', 'mqtt')).toMatchObject({ ok: true, mustChangePassword: false });
  });
});

test('hostile PRNG is deterministic per seed', () => {
  const a = seededRandom(7), b = seededRandom(7), c = seededRandom(8);
  const sa = [a(), a(), a()], sb = [b(), b(), b()], sc = [c(), c(), c()];
  expect(sa).toEqual(sb);
  expect(sa).not.toEqual(sc);
});
