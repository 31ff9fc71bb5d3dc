// Against a real embedded-Linux console (test/support/linux-console.ts, targets/linux-console.yaml):
// default-credentials, lockout, idle-session-timeout and unauthenticated-access PASS on the secure
// configuration and FAIL where the flawed one is flawed (no faillock, no TMOUT, admin/admin), with no
// INCONCLUSIVE; the host's /etc is byte-identical before and after. PAM replies to a failed login
// seconds after faillock counted it: the lockout walk dates the lock from when that failure was sent.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import defaultCredentials from '../../scenarios/default-credentials.scenario.js';
import idleSessionTimeout from '../../scenarios/idle-session-timeout.scenario.js';
import lockout from '../../scenarios/lockout.scenario.js';
import unauthenticatedAccess from '../../scenarios/unauthenticated-access.scenario.js';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import { runOnTarget } from '../support/custom-target-run.js';
import { BOUND_FILES, startLinuxConsole, type LinuxConsole, type LinuxConsoleFlavour } from '../support/linux-console.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('socat', 'linuxLogin');
const TARGET = join(import.meta.dirname, '../../targets/linux-console.yaml');
const PASSWORDS = { op: 'Hil-Op-Console-7q2', op2: 'Hil-Op2-Console-9w4' };

const etcDigest = () => Object.fromEntries(BOUND_FILES.map((f) => [f, createHash('sha256').update(readFileSync(join('/etc', f))).digest('hex')]));

async function run(def: ScenarioDefinition, con: LinuxConsole): Promise<ScenarioResult> {
  const env = { ...process.env, ...con.env };
  const { result } = await runOnTarget(def, loadTargetFile(TARGET, env).profile, env);
  expect(result.perInterface?.console, `${def.id}: ${result.reason}`).not.toBe('INCONCLUSIVE');
  return result;
}

describe.skipIf(parts.skip)('a real Linux console: login + PAM faillock + TMOUT behind socat', () => {
  let before: Record<string, string> = {};
  const consoles = new Map<LinuxConsoleFlavour, LinuxConsole>();
  beforeAll(async () => {
    parts.assert();
    before = etcDigest();
    for (const f of ['secure', 'flawed'] as const) consoles.set(f, await startLinuxConsole(f, PASSWORDS));
  });
  afterAll(async () => {
    for (const c of consoles.values()) await c.stop();
    expect(etcDigest()).toEqual(before);
  });
  const secure = () => consoles.get('secure')!;
  const flawed = () => consoles.get('flawed')!;

  test('default-credentials: secure → PASS; flawed (admin/admin) → FAIL', { timeout: 120_000 }, async () => {
    const ok = await run(defaultCredentials, secure());
    expect(ok.verdict, ok.reason).toBe('PASS');
    const bad = await run(defaultCredentials, flawed());
    expect(bad.verdict, bad.reason).toBe('FAIL');
    expect(bad.reason).toMatch(/admin\/admin \(vendor manual\) accepted on console/);
  });

  test('idle-session-timeout: secure (TMOUT) → PASS; flawed (no TMOUT) → FAIL', { timeout: 120_000 }, async () => {
    const ok = await run(idleSessionTimeout, secure());
    expect(ok.verdict, ok.reason).toBe('PASS');
    const bad = await run(idleSessionTimeout, flawed());
    expect(bad.verdict, bad.reason).toBe('FAIL');
    expect(bad.reason).toMatch(/console session still open after/);
  });

  test('lockout: secure (pam_faillock) → PASS; flawed (no faillock) → FAIL naming the missing lock', { timeout: 240_000 }, async () => {
    const ok = await run(lockout, secure());
    expect(ok.verdict, ok.reason).toBe('PASS');
    const bad = await run(lockout, flawed());
    expect(bad.verdict, bad.reason).toBe('FAIL');
    expect(bad.reason).toMatch(/good password still accepted on console after 3 failed logins \(no lockout/);
  });

  test('unauthenticated-access: logout closes the connection, the probe reconnects → PASS on both', { timeout: 120_000 }, async () => {
    for (const c of [secure(), flawed()]) {
      const r = await run(unauthenticatedAccess, c);
      expect(r.verdict, r.reason).toBe('PASS');
    }
  });
});
