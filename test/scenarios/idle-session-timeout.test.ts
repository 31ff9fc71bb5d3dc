import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import idleSessionTimeout from '../../scenarios/idle-session-timeout.scenario.js';
import { needParts } from '../support/real-parts.js';
import { runWithDeclared } from '../support/custom-target-run.js';

const sim = await needParts('socat');

describe.skipIf(sim.skip)('idle-session-timeout against the simulator', () => {
  beforeAll(() => sim.assert());

  test('hardened → PASS, idle logout measured near the declared 3 s', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(idleSessionTimeout, { profile: 'hardened' });
    expect(result.verdict, result.reason).toBe('PASS');
    const m = result.measurements.find((x) => x.name === 'idleLogoutAfter');
    expect(m?.passed).toBe(true);
    expect(m?.value).toBeGreaterThanOrEqual(2_900);
    expect(result.reason).toMatch(/\[console\] idle session ended after \d+ ms \(idleLogout; declared 3000 ms\)/);
  });

  test('weak → FAIL: session still open after the idle period', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(idleSessionTimeout, { profile: 'weak', targetName: 'sim-weak' });
    expect(result.verdict).toBe('FAIL');
    // Both endpoints of the profile's console (serial line, TCP port) keep the idle session open
    // (waited out at once: sim-weak declares independentIdleSessions, so either may be judged first).
    const parts = result.reason.split('; ');
    expect(parts).toHaveLength(2);
    expect(parts.find((p) => p.startsWith('[console]'))).toMatch(/^\[console\] console session still open after \d\.\d s idle \(declared idle timeout 3 s\)$/);
    expect(parts.find((p) => p.startsWith('[console-tcp]'))).toMatch(/^\[console-tcp\] console session still open after \d\.\d s idle \(declared idle timeout 3 s\)$/);
    expect(result.measurements.find((x) => x.name === 'idleLogoutAfter')?.value).toBeNull();
  });

  test('independentIdleSessions: the endpoints are waited out at once; without it one after another', { timeout: 60_000 }, async () => {
    // seq of the first evidence record matching `re`
    const seqOf = (file: string, re: RegExp) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; text?: string }).find((r) => re.test(r.text ?? ''))?.seq ?? Number.NaN;
    const together = await runWithDeclared(idleSessionTimeout, { profile: 'hardened' });
    const apart = await runWithDeclared(idleSessionTimeout, { profile: 'hardened', declare: (t) => void (t.policy.independentIdleSessions = false) });
    for (const { result } of [together, apart]) {
      expect(result.verdict, result.reason).toBe('PASS');
      expect(Object.keys(result.perInterface ?? {}).sort()).toEqual(['console', 'console-tcp']);
    }
    const order = (run: typeof together) => [seqOf(run.evidenceFile, /^interface console-tcp: start/), seqOf(run.evidenceFile, /ended the session .* idle/)];
    const [tcpStart, firstEnd] = order(together);
    expect(tcpStart).toBeLessThan(firstEnd);
    const [tcpStartApart, firstEndApart] = order(apart);
    expect(tcpStartApart).toBeGreaterThan(firstEndApart);
  });

  test('idleTimeout switch off alone → FAIL', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(idleSessionTimeout, { profile: 'hardened', config: { switches: { idleTimeout: false } } });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/session still open/);
  });

  test('device times out after 8 s while 3 s is declared → FAIL', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(idleSessionTimeout, { profile: 'hardened', config: { params: { idleTimeoutMs: 8_000 } } });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/session still open after 4\.\d s idle/);
  });

  test('switches it does not depend on (lockout, defaultCredential, mqttTls) leave it PASS', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(idleSessionTimeout, {
      profile: 'hardened',
      config: { switches: { lockout: false, defaultCredential: 'accepted', mqttTls: false, passwordPolicy: false } },
    });
    expect(result.verdict, result.reason).toBe('PASS');
  });

  test('profile declaring no idle timeout → FAIL on the declaration', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(idleSessionTimeout, {
      profile: 'hardened',
      declare: (t) => {
        delete t.policy.idleTimeoutMs;
      },
    });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/declares no idle timeout/);
  });

  test('hostile → ERROR or INCONCLUSIVE within the budget', { timeout: 60_000 }, async () => {
    const { result, target } = await runWithDeclared(idleSessionTimeout, { profile: 'hostile' });
    expect(['ERROR', 'INCONCLUSIVE']).toContain(result.verdict);
    expect(result.durationMs).toBeLessThan(idleSessionTimeout.budgetMs(target));
    expect(result.durationMs).toBeLessThan(30_000);
  });
});

describe.skipIf(sim.skip)('idle-session-timeout when the console needs no login', () => {
  test('consoleLoginRequired off → INCONCLUSIVE naming it (unauthenticated-access owns that FAIL), never PASS', { timeout: 60_000 }, async () => {
    const { result } = await runWithDeclared(idleSessionTimeout, { profile: 'hardened', config: { switches: { consoleLoginRequired: false } } });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.reason).toMatch(/console gives a shell without login/);
  });
});
