// The declared out-of-range reaction range-check holds a device to: per interface, per Modbus
// function code (FC06 and FC16 differ on real firmware), and "ignore" (no reply, value unchanged).
import { describe, expect, test } from 'vitest';
import { declaredReaction, judgeReaction } from '../../harness/oracles/range-reaction.js';
import { expectedReading, identifiesValue, pointFromReading } from '../../harness/profile/monitor-relation.js';
import { MonitorRelation, Point } from '../../harness/profile/target-schema.js';

describe('declared reactions', () => {
  const point = Point.parse({ min: 0, max: 10, reaction: { default: 'reject', modbus: 'clamp', modbusFc16: 'reject', mqtt: 'ignore' } });

  test('a function code declaration wins over the protocol, the protocol over the default', () => {
    expect(declaredReaction(point, 'modbus', 'fc06')).toBe('clamp');
    expect(declaredReaction(point, 'modbus', 'fc16')).toBe('reject');
    expect(declaredReaction(point, 'modbus', 'fc16-array')).toBe('reject');
    expect(declaredReaction(point, 'mqtt')).toBe('ignore');
    expect(declaredReaction(point, 'opcua')).toBe('reject');
  });

  test('"ignore" holds when the value stayed unchanged, never when it was stored or clamped', () => {
    expect(judgeReaction('ignore', 'silently-ignored')).toEqual({ ok: true, safe: true });
    expect(judgeReaction('ignore', 'rejected').ok).toBe(true);
    expect(judgeReaction('ignore', 'accepted')).toEqual({ ok: false, safe: false });
    expect(judgeReaction('ignore', 'clamped').ok).toBe(false);
    // A device that declares "reject" and answers nothing is not what it declared.
    expect(judgeReaction('reject', 'silently-ignored').ok).toBe(false);
  });
});

describe('declared monitor relations', () => {
  test('exact with scale and offset, calibration saturating, bound telling no value', () => {
    const exact = MonitorRelation.parse({ kind: 'exact', scale: 10, offset: 5 });
    expect(expectedReading(exact, 2)).toBe(25);
    expect(pointFromReading(exact, 25)).toBe(2);
    const cal = MonitorRelation.parse({ kind: 'calibration', scale: 0.16, offset: 4, outMin: 4, outMax: 20 });
    expect(expectedReading(cal, 50)).toBeCloseTo(12);
    expect(expectedReading(cal, 150)).toBe(20); // saturates: 150 % looks like 100 %
    expect(pointFromReading(cal, 20)).toBeCloseTo(100);
    const bound = MonitorRelation.parse({ kind: 'bound', min: 0, max: 8 });
    expect(identifiesValue(bound)).toBe(false);
    expect(expectedReading(bound, 3)).toBeUndefined();
  });
});
