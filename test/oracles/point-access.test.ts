import { describe, expect, test } from 'vitest';
import { decodeRegister, encodeRegister } from '../../harness/protocols/modbus/modbus-point-access.js';
import { rangeProbes } from '../../harness/oracles/range-probe.js';
import { Point } from '../../harness/profile/target-schema.js';

describe('Modbus register encoding of probe values', () => {
  test('max+1 of a scaled register goes on the wire as raw units', () => {
    expect(encodeRegister(81, 0.1)).toEqual({ word: 810, interpretations: [] });
  });
  test('min-1 of a 0..max register is sent in two\'s complement; the unsigned reading is an alternative', () => {
    const e = encodeRegister(-1, 0.1)!;
    expect(e.word).toBe(0xfff6);
    expect(e.interpretations[0]).toBeCloseTo(6552.6, 6);
    expect(encodeRegister(-1, 1)).toEqual({ word: 0xffff, interpretations: [65535] });
  });
  test('values no 16-bit register can carry are refused', () => {
    expect(encodeRegister(70000, 1)).toBeUndefined();
  });
  test('read-back is signed unless the declared range needs the upper half', () => {
    const p = Point.parse({ min: 0, max: 80, modbus: { table: 'holding', address: 0, scale: 0.1 } });
    expect(decodeRegister(0xfff6, p.modbus!, p)).toBe(-1);
    expect(decodeRegister(810, p.modbus!, p)).toBe(81);
    const wide = Point.parse({ min: 0, max: 60000, modbus: { table: 'holding', address: 0 } });
    expect(decodeRegister(0xfff6, wide.modbus!, wide)).toBe(0xfff6);
  });
});

describe('range probes', () => {
  test('one unit beyond each declared limit, then a wrong-type value', () => {
    expect(rangeProbes(Point.parse({ min: 0, max: 80 })).map((p) => [p.id, p.value])).toEqual([
      ['max+1', 81],
      ['min-1', -1],
      ['wrong-type', 'hot'],
    ]);
    expect(rangeProbes(Point.parse({ max: 5 })).map((p) => p.id)).toEqual(['max+1', 'wrong-type']);
  });
});
