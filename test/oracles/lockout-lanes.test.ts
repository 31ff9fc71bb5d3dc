import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Finding, MeasurementFinding } from '../../harness/core/finding.js';
import { FailureLog, lockAlertJudgement } from '../../harness/oracles/lockout-alert.js';
import { lockoutLanes, runLanes } from '../../harness/oracles/lockout-lanes.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import type { AuthAttempt } from '../../harness/protocols/capabilities/auth-surface.js';

const hardened = (): TargetProfile => loadTargetFile(join(import.meta.dirname, '../../targets/sim-hardened.yaml'), {}).profile;
const IFACES = ['console', 'console-tcp', 'mqtt', 'opcua'];

describe('which lockout walks may overlap', () => {
  test('nothing declared: one lane, the interfaces in their order (a device may share one counter)', () => {
    const t = hardened();
    delete t.policy.lockout!.independentCounters;
    expect(lockoutLanes(t, IFACES)).toEqual([IFACES]);
  });

  test('sim-hardened declares its two account databases: the console endpoints together, MQTT with OPC UA', () => {
    expect(lockoutLanes(hardened(), IFACES)).toEqual([
      ['console', 'console-tcp'],
      ['mqtt', 'opcua'],
    ]);
    // Only the interfaces present are planned (OPC UA switched off).
    expect(lockoutLanes(hardened(), ['console', 'console-tcp', 'mqtt'])).toEqual([['console', 'console-tcp'], ['mqtt']]);
  });

  test('interfaces in no group form one more lane', () => {
    const t = hardened();
    t.policy.lockout!.independentCounters = [['mqtt']];
    expect(lockoutLanes(t, IFACES)).toEqual([['console', 'console-tcp', 'opcua'], ['mqtt']]);
  });

  test('console endpoints sharing accounts never land in different lanes, even if a profile split them', () => {
    const t = hardened();
    t.policy.lockout!.independentCounters = [['console'], ['console-tcp'], ['mqtt', 'opcua']];
    expect(lockoutLanes(t, IFACES)).toEqual([
      ['console', 'console-tcp'],
      ['mqtt', 'opcua'],
    ]);
  });

  test('lanes run at the same time; an error in one is rethrown after every lane ended', async () => {
    const ended: string[] = [];
    const t0 = performance.now();
    const run = runLanes([['a'], ['b']], async ([name]) => {
      await new Promise((r) => setTimeout(r, name === 'a' ? 100 : 300));
      ended.push(name!);
      if (name === 'a') throw new Error('lane a broke');
    });
    await expect(run).rejects.toThrow('lane a broke');
    expect(ended).toEqual(['a', 'b']);
    expect(performance.now() - t0).toBeLessThan(390);
  });
});

describe('a lock alert among concurrent walks', () => {
  const t = hardened();
  const alert = (user: string, surface: string) => JSON.stringify({ event: 'account-locked', user, surface });
  const latency = (f: readonly Finding[]) => f.find((x): x is MeasurementFinding => x.kind === 'measurement' && x.name.startsWith('lockAlertLatency'))!;
  const judge = (messages: { at: number; text: string }[], lockAt: number, rivals: string[]) =>
    lockAlertJudgement(t, 'mqtt', { topic: 'gw/a', messages, close: async () => undefined }, lockAt, 200, (ms) => new Promise((r) => setTimeout(r, ms)), { username: 'hmi', rivals: () => rivals });

  test('alone in its window: the first lock alert is the lock\'s (as in a sequential run), and the wait ends with it', async () => {
    const at = Date.now() - 1;
    const t0 = performance.now();
    const j = await judge([{ at: at + 1, text: alert('fieldtech', 'console') }], at, []);
    expect(latency(j.findings)).toMatchObject({ value: 1 });
    expect(performance.now() - t0).toBeLessThan(150);
  });

  test('beside another walk: only an alert naming this account counts; the other walk\'s alone is no alert (FAIL)', async () => {
    const at = Date.now();
    const mine = await judge([{ at, text: alert('fieldtech', 'console') }, { at: at + 5, text: alert('hmi', 'mqtt') }], at, ['fieldtech']);
    expect(latency(mine.findings)).toMatchObject({ value: 5 });
    const theirs = await judge([{ at, text: alert('fieldtech', 'console') }], Date.now(), ['fieldtech']);
    expect(latency(theirs.findings)).toMatchObject({ value: null, failReason: expect.stringMatching(/raised no alert/) });
    expect(latency(theirs.findings).onFail).toBeUndefined();
  });

  test('beside another walk, an alert naming nobody cannot be told apart: INCONCLUSIVE, never PASS', async () => {
    const at = Date.now();
    const j = await judge([{ at, text: JSON.stringify({ event: 'account-locked' }) }], at, ['fieldtech']);
    expect(latency(j.findings)).toMatchObject({ value: null, onFail: 'INCONCLUSIVE', failReason: expect.stringMatching(/not told apart/) });
  });

  test('the failure log records wrong passwords per lane at send time and names only the other lanes', async () => {
    const log = new FailureLog();
    const seen: string[] = [];
    const surface = { iface: 'mqtt', attempt: async (u: string, p: string): Promise<AuthAttempt> => (seen.push(`${u}:${p}`), { outcome: 'refused', detail: 'x', durationMs: 0 }) };
    const a = log.watch(surface, 0, 'bad');
    const b = log.watch({ ...surface, iface: 'console' }, 1, 'bad');
    const signal = new AbortController().signal;
    await a.attempt('hmi', 'bad', signal);
    await a.attempt('hmi', 'good', signal);
    await b.attempt('fieldtech', 'bad', signal);
    expect(seen).toEqual(['hmi:bad', 'hmi:good', 'fieldtech:bad']);
    expect(a.close).toBeUndefined();
    expect(log.others(0, Date.now() - 1000, Date.now())).toEqual(['fieldtech']);
    expect(log.others(1, Date.now() - 1000, Date.now())).toEqual(['hmi']);
    expect(log.others(1, Date.now() + 1, Date.now() + 1000)).toEqual([]);
  });
});
