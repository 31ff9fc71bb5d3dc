import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { parseTarget } from '../../harness/profile/load-target.js';
import { ProfileError } from '../../harness/profile/profile-error.js';
import { registerProtocol } from '../../harness/protocols/registry.js';
import defaultCredentials from '../../scenarios/default-credentials.scenario.js';
import unauthenticatedAccess from '../../scenarios/unauthenticated-access.scenario.js';
import lineLoginProtocol from '../fixtures/line-login/index.js';
import { runScenarioOnProfile } from '../scenarios/run-profile.js';
import { startLineDevice, type LineDeviceConfig } from '../support/line-login-device.js';

/**
 * Adding a protocol is one folder (test/fixtures/line-login: channel, auth surface, module) plus
 * one registerProtocol call. The login scenarios then cover it with no other file changed: its
 * profile key is validated by its own schema, and its verdicts are both ways for the right reason.
 */
registerProtocol(lineLoginProtocol);

const PASSWORD = 'Line-Secret-9f2#';
const env = { ...process.env, HIL_LINE_ADMIN: PASSWORD };

function profile(port: number) {
  return parseTarget(
    {
      name: 'line-gw',
      identity: { vendor: 'Test', model: 'LineGW', firmware: '1.0', serial: 'L-1' },
      interfaces: { 'line-login': { url: `tcp://127.0.0.1:${port}`, timeoutMs: 1000 } },
      credentials: { defaults: [{ username: 'admin', password: 'admin', source: 'vendor manual' }], admin: { username: 'admin', password: { env: 'HIL_LINE_ADMIN' }, role: 'admin' } },
      policy: { ports: { tcp: [port] } },
    },
    '<line-login test>',
    env,
  );
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function device(cfg: Omit<LineDeviceConfig, 'accounts'> = {}) {
  const d = await startLineDevice({ accounts: { admin: PASSWORD }, ...cfg });
  stop = d.stop;
  return profile(d.port);
}

describe('a protocol added from one folder', () => {
  test('its interface is validated by its own schema, and an unknown interface is refused naming the field', () => {
    const raw = (ifaces: Record<string, unknown>) => ({ name: 'x', identity: { vendor: 'a', model: 'b', firmware: 'c', serial: 'd' }, interfaces: ifaces, credentials: {}, policy: { ports: { tcp: [] } } });
    expect(() => parseTarget(raw({ 'line-login': { url: 'line://nowhere' } }), '<bad url>', env)).toThrow(ProfileError);
    expect(() => parseTarget(raw({ 'line-login': { url: 'line://nowhere' } }), '<bad url>', env)).toThrow(/<bad url>[\s\S]*interfaces\.line-login\.url: expected tcp:\/\/host:port/);
    expect(parseTarget(raw({ 'line-login': { url: 'tcp://127.0.0.1:1' } }), '<ok>', env).interfaces['line-login']).toEqual({ url: 'tcp://127.0.0.1:1', timeoutMs: 1000 });
    expect(() => parseTarget(raw({ 'line-logn': {} }), '<typo>', env)).toThrow(/interfaces\.line-logn: unknown interface "line-logn"/);
  });

  test('secure device → default-credentials and unauthenticated-access PASS on it', async () => {
    const t = await device();
    const dc = await runScenarioOnProfile(defaultCredentials, t, env);
    expect(dc.result.verdict, dc.result.reason).toBe('PASS');
    expect(dc.result.perInterface).toEqual({ 'line-login': 'PASS' });
    expect(dc.result.reason).toBe('[line-login] none of the 1 default credentials logs in on line-login');
    const ua = await runScenarioOnProfile(unauthenticatedAccess, t, env);
    expect(ua.result.verdict, ua.result.reason).toBe('PASS');
    expect(ua.result.perInterface).toEqual({ 'line-login': 'PASS' });
    expect(ua.result.measurements.find((m) => m.name === 'lineStatusWithoutLogin')?.value).toBe(false);
  });

  test('a default that still logs in → default-credentials FAIL naming it; unauthenticated-access stays PASS', async () => {
    const t = await device({ defaultAccepted: { username: 'admin', password: 'admin' } });
    const dc = await runScenarioOnProfile(defaultCredentials, t, env);
    expect(dc.result.verdict, dc.result.reason).toBe('FAIL');
    expect(dc.result.reason).toBe('[line-login] admin/admin (vendor manual) accepted on line-login');
    const ua = await runScenarioOnProfile(unauthenticatedAccess, t, env);
    expect(ua.result.verdict, ua.result.reason).toBe('PASS');
  });

  test('STATUS without a login → unauthenticated-access FAIL for that reason; default-credentials stays PASS', async () => {
    const t = await device({ statusWithoutLogin: true });
    const ua = await runScenarioOnProfile(unauthenticatedAccess, t, env);
    expect(ua.result.verdict, ua.result.reason).toBe('FAIL');
    expect(ua.result.reason).toBe('[line-login] line-login runs STATUS without a login');
    const dc = await runScenarioOnProfile(defaultCredentials, t, env);
    expect(dc.result.verdict, dc.result.reason).toBe('PASS');
  });

  test('its bytes reach the evidence under its own protocol name, password redacted', async () => {
    const t = await device();
    const { evidenceFile } = await runScenarioOnProfile(defaultCredentials, t, env);
    const text = readFileSync(evidenceFile, 'utf8');
    const records = text.trim().split('\n').map((l) => JSON.parse(l) as { protocol?: string; dir: string });
    expect(records.some((r) => r.protocol === 'line-login' && r.dir === 'tx')).toBe(true);
    expect(text).not.toContain(PASSWORD);
  });
});
