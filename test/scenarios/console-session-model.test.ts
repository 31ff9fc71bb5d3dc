// Consoles as they are: the simulator's console drops the line after 2 failed logins (below the
// lock threshold of 3) and closes its TCP connection on logout, as a `login` behind a terminal
// server does; the profile declares both (interfaces.console.session). These are behaviours, not
// flaws: with them on, the hardened simulator stays PASS in every console check, each flaw still
// FAILs, and nothing is INCONCLUSIVE.
import { beforeAll, describe, expect, test } from 'vitest';
import defaultCredentials from '../../scenarios/default-credentials.scenario.js';
import idleSessionTimeout from '../../scenarios/idle-session-timeout.scenario.js';
import lockout from '../../scenarios/lockout.scenario.js';
import unauthenticatedAccess from '../../scenarios/unauthenticated-access.scenario.js';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import type { SimConfigOverrides } from '../../simulators/gateway/index.js';
import { needParts } from '../support/real-parts.js';
import { runWithDeclared } from '../support/custom-target-run.js';

const sim = await needParts('socat');

const DROP = 2;
const LOCK_MS = 1_500;
/** The behaviours, switched on over whatever a test adds. */
const behaviours = (extra: SimConfigOverrides = {}): SimConfigOverrides => ({
  ...extra,
  switches: { consoleDropAfterFailures: DROP, consoleLogoutCloses: true, ...extra.switches },
  params: { lockoutDurationMs: LOCK_MS, ...extra.params },
});
/** The profile declares them: the serial line drops (a new session) after 2 failures; the TCP port is a session per connection. */
const declare = (t: TargetProfile) => {
  const c = t.interfaces.console!;
  c.session = { model: 'persistent', dropAfterFailures: DROP, lockMessage: 'after-password' };
  c.endpoints.tcp = { ...c.endpoints.tcp!, session: { model: 'per-connection', dropAfterFailures: DROP, lockMessage: 'after-password' } };
  t.policy.lockout = { ...t.policy.lockout!, durationMs: LOCK_MS, toleranceMs: 1_000, interfaces: ['console'] };
};

const run = async (def: ScenarioDefinition, config: SimConfigOverrides = {}): Promise<ScenarioResult> =>
  (await runWithDeclared(def, { profile: 'hardened', config: behaviours(config), declare })).result;

const consoles = (r: ScenarioResult) => ({ console: r.perInterface?.console, 'console-tcp': r.perInterface?.['console-tcp'] });
const neverInconclusive = (r: ScenarioResult) => expect(Object.values(r.perInterface ?? {}), JSON.stringify(r.perInterface)).not.toContain('INCONCLUSIVE');

describe.skipIf(sim.skip)('console session model: line dropped after failures, session per connection', () => {
  beforeAll(() => sim.assert());

  test('default-credentials: four defaults (the 2nd and 4th see the line drop) → PASS on both console endpoints', { timeout: 120_000 }, async () => {
    const r = await run(defaultCredentials);
    expect(r.verdict, r.reason).toBe('PASS');
    expect(consoles(r)).toEqual({ console: 'PASS', 'console-tcp': 'PASS' });
  });

  test('default-credentials with admin/admin accepted → FAIL on the consoles, not INCONCLUSIVE', { timeout: 120_000 }, async () => {
    const r = await run(defaultCredentials, { switches: { defaultCredential: 'accepted' } });
    expect(r.verdict).toBe('FAIL');
    expect(consoles(r)).toEqual({ console: 'FAIL', 'console-tcp': 'FAIL' });
    expect(r.reason).toMatch(/\[console\] admin\/admin \(vendor manual\) accepted on console/);
    neverInconclusive(r);
  });

  test('lockout: failures spread over dropped lines still lock at 3 → PASS, threshold measured on both endpoints', { timeout: 180_000 }, async () => {
    const r = await run(lockout);
    expect(r.verdict, r.reason).toBe('PASS');
    expect(consoles(r)).toEqual({ console: 'PASS', 'console-tcp': 'PASS' });
    for (const i of ['console', 'console-tcp']) {
      expect(r.measurements.find((m) => m.name === `lockoutThreshold[${i}]`)).toMatchObject({ value: 3, passed: true });
    }
  });

  test('lockout switch off with the drops on → FAIL (no lockout), not INCONCLUSIVE', { timeout: 180_000 }, async () => {
    const r = await run(lockout, { switches: { lockout: false } });
    expect(r.verdict).toBe('FAIL');
    expect(consoles(r)).toEqual({ console: 'FAIL', 'console-tcp': 'FAIL' });
    expect(r.reason).toMatch(/\[console-tcp\] good password still accepted on console-tcp after 3 failed logins \(no lockout/);
    neverInconclusive(r);
  });

  test('unauthenticated-access: logout closes the TCP line, the probe reconnects → PASS', { timeout: 120_000 }, async () => {
    const r = await run(unauthenticatedAccess);
    expect(r.verdict, r.reason).toBe('PASS');
    expect(consoles(r)).toEqual({ console: 'PASS', 'console-tcp': 'PASS' });
  });

  test('unauthenticated-access with consoleLoginRequired off → FAIL on both console endpoints', { timeout: 120_000 }, async () => {
    const r = await run(unauthenticatedAccess, { switches: { consoleLoginRequired: false } });
    expect(r.verdict).toBe('FAIL');
    expect(consoles(r)).toEqual({ console: 'FAIL', 'console-tcp': 'FAIL' });
    expect(r.reason).toMatch(/\[console-tcp\] console gives a shell without login/);
  });

  test('idle-session-timeout: the idle logout closes the TCP line → PASS; idleTimeout off → FAIL', { timeout: 120_000 }, async () => {
    const ok = await run(idleSessionTimeout);
    expect(ok.verdict, ok.reason).toBe('PASS');
    expect(ok.reason).toMatch(/\[console-tcp\] idle session ended after \d+ ms \((idleLogout|line closed)/);
    const bad = await run(idleSessionTimeout, { switches: { idleTimeout: false } });
    expect(bad.verdict).toBe('FAIL');
    expect(consoles(bad)).toEqual({ console: 'FAIL', 'console-tcp': 'FAIL' });
    neverInconclusive(bad);
  });
});
