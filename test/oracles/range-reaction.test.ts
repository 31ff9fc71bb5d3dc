import { describe, expect, test } from 'vitest';
import { classifyRangeProbe, judgeReaction } from '../../harness/oracles/range-reaction.js';
import { compareWithAllowlist, portRange } from '../../harness/oracles/port-allowlist.js';

const base = { before: 45, min: 0, max: 80, epsilon: 0.05 };

describe('range reaction is judged by effect, not reply', () => {
  test('exception and unchanged process value = rejected', () => {
    expect(classifyRangeProbe({ ...base, attempted: 81, replyRejected: true, readBack: 45, monitored: 45 }).observed).toBe('rejected');
  });
  test('a normal reply but the value reached the process = accepted (FAIL even if the reply looked fine)', () => {
    const c = classifyRangeProbe({ ...base, attempted: 81, replyRejected: false, readBack: 81, monitored: 81 });
    expect(c.observed).toBe('accepted');
    expect(judgeReaction('reject', c.observed)).toEqual({ ok: false, safe: false });
  });
  test('an exception reply while the monitor shows the value = accepted', () => {
    expect(classifyRangeProbe({ ...base, attempted: 81, replyRejected: true, readBack: 45, monitored: 81 }).observed).toBe('accepted');
  });
  test('clamped to the limit', () => {
    const c = classifyRangeProbe({ ...base, attempted: 81, replyRejected: false, readBack: 80 });
    expect(c.observed).toBe('clamped');
    expect(judgeReaction('clamp', c.observed).ok).toBe(true);
    expect(judgeReaction('reject', c.observed)).toEqual({ ok: false, safe: true });
  });
  test('nothing observable = undecided', () => {
    expect(classifyRangeProbe({ ...base, attempted: 81, replyRejected: true }).observed).toBe('undecided');
  });
  test('a read-back that shows the value counts even when the monitor does not (stored, not yet applied)', () => {
    const c = classifyRangeProbe({ ...base, attempted: 81, replyRejected: true, readBack: 81, monitored: 45 });
    expect(c).toEqual({ observed: 'accepted', processValue: 81 });
  });
  test('no reply channel (MQTT 3.1.1 without status topic): unchanged value = rejected', () => {
    expect(classifyRangeProbe({ ...base, attempted: 81, readBack: 45 }).observed).toBe('rejected');
  });
  test('normal reply and unchanged value = silently ignored (safe, but not the declared reject)', () => {
    const c = classifyRangeProbe({ ...base, attempted: 81, replyRejected: false, readBack: 45 });
    expect(c.observed).toBe('silently-ignored');
    expect(judgeReaction('reject', c.observed)).toEqual({ ok: false, safe: true });
  });
  test('min-1 sent as 0xFFF6 and clamped to max by an unsigned device = clamped', () => {
    const c = classifyRangeProbe({ ...base, before: 60, attempted: -1, interpretations: [6552.6], replyRejected: false, readBack: 80, monitored: 80 });
    expect(c.observed).toBe('clamped');
  });
  test('wrong type: unchanged = rejected, any change = accepted', () => {
    expect(classifyRangeProbe({ ...base, attempted: 'hot', replyRejected: true, readBack: 45 }).observed).toBe('rejected');
    expect(classifyRangeProbe({ ...base, attempted: 'hot', replyRejected: false, readBack: 0 }).observed).toBe('accepted');
  });
  test('read-back and monitor disagree on an in-range value = undecided', () => {
    expect(classifyRangeProbe({ ...base, attempted: 81, replyRejected: true, readBack: 45, monitored: 30 }).observed).toBe('undecided');
  });
});

describe('port allowlist', () => {
  test('names unexpected open ports and ignores the lab monitor', () => {
    const f = compareWithAllowlist([22, 502, 2323, 602], [502, 1883], [{ port: 602, why: 'monitor' }]);
    expect(f.unexpectedOpen).toEqual([22, 2323]);
    expect(f.declaredButClosed).toEqual([1883]);
    expect(f.excluded.map((e) => e.port)).toEqual([602]);
  });
  test('port ranges are validated', () => {
    expect(portRange('10-12')).toEqual([10, 11, 12]);
    expect(() => portRange('0-5')).toThrow();
  });
});
