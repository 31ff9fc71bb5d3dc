import { describe, expect, test } from 'vitest';
import { analyseHeartbeat, evaluateHeartbeat } from '../../harness/monitor/invariants/heartbeat-alive.js';
import { evaluateNoUncommandedChange } from '../../harness/monitor/invariants/no-uncommanded-change.js';
import { evaluateRecovery } from '../../harness/monitor/invariants/recovery-within.js';
import { evaluateSafeValueReached } from '../../harness/monitor/invariants/safe-value-reached.js';
import type { MonitorSample } from '../../harness/monitor/sample.js';
import { evaluateFaultRun } from '../../harness/monitor/summary.js';
import type { FaultWindows } from '../../harness/monitor/windows.js';
import { percentile } from '../../harness/monitor/stats.js';

// Synthetic 10 ms series: pre 0..1000, fault 1000..3000, post 3000..4500.
const W: FaultWindows = { fault: 'test', preStart: 0, faultStart: 1000, faultEnd: 3000, postEnd: 4500 };
const outputs = [{ point: 'valve', normal: 40, safe: 0, tolerance: 0 }];
const hb = { point: 'hb', periodMs: 100, jitterToleranceMs: 60 };

function series(valve: (t: number) => number, heartbeat: (t: number) => number = (t) => Math.floor(t / 100), step = 10): MonitorSample[] {
  const out: MonitorSample[] = [];
  for (let t = 0; t <= 4500; t += step) out.push({ t, ok: true, readMs: 1, values: { valve: valve(t), hb: heartbeat(t) % 65536 } });
  return out;
}
const goesSafeAt = (ms: number) => (t: number) => (t >= 1000 + ms && t < 3050 ? 0 : 40);

describe('safe value reached within reaction time', () => {
  test('reaction measured from the fault start to the first stable safe sample', () => {
    const r = evaluateSafeValueReached(series(goesSafeAt(1010)), W, outputs, 1500);
    expect(r.held).toBe(true);
    expect(r.measurements.reactionMs!.value).toBe(1010);
  });
  test('an output that holds its commanded value fails, naming the point and values', () => {
    const r = evaluateSafeValueReached(series(() => 40), W, outputs, 1500);
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/held an unsafe value.*valve=40 \(safe 0\)/);
  });
  test('too late is a failure with the measured time', () => {
    const r = evaluateSafeValueReached(series(goesSafeAt(1800)), W, outputs, 1500);
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/too late: valve after 1800 ms/);
  });
  test('a brief visit to safe that does not stay does not count', () => {
    const r = evaluateSafeValueReached(series((t) => (t >= 1500 && t < 1600 ? 0 : 40)), W, outputs, 1500);
    expect(r.held).toBe(false);
  });
});

describe('heartbeat alive and jitter', () => {
  test('a regular heartbeat: every period within tolerance, gap ≈ period', () => {
    const a = analyseHeartbeat(series(() => 40), 1000, 3000, hb);
    expect(a.withinPct).toBe(100);
    expect(a.longestGapMs).toBeLessThanOrEqual(110);
    expect(a.increments).toBeGreaterThanOrEqual(19);
  });
  test('a heartbeat that stops mid-fault (and never moves again) fails with the gap', () => {
    const r = evaluateHeartbeat(series(() => 40, (t) => Math.floor(Math.min(t, 1500) / 100)), 1000, 3000, hb);
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/heartbeat stopped.*did not change for (1[45]\d\d) ms/);
  });
  test('jitter beyond tolerance in more than 5 % of periods fails', () => {
    // Alternating 30 ms / 170 ms periods: every period off by 70 ms > 60 ms tolerance.
    const beats: number[] = [];
    for (let t = 0, i = 0; t < 5000; i++) { beats.push(t); t += i % 2 ? 170 : 30; }
    const r = evaluateHeartbeat(series(() => 40, (t) => beats.filter((b) => b <= t).length), 1000, 3000, hb);
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/heartbeat jitter/);
  });
  test('wraps at 65536 without counting thousands of steps', () => {
    const a = analyseHeartbeat(series(() => 40, (t) => 65530 + Math.floor(t / 100)), 0, 2000, hb);
    expect(a.withinPct).toBe(100);
    expect(a.increments).toBeLessThan(25);
  });
  test('sparse samples cannot time periods: undecided, not passed', () => {
    const r = evaluateHeartbeat(series(() => 40, undefined, 100), 1000, 3000, hb);
    expect(r.held).toBeUndefined();
  });
});

describe('no uncommanded output change', () => {
  test('commanded → safe once → commanded after the fault holds (to-safe)', () => {
    expect(evaluateNoUncommandedChange(series(goesSafeAt(1000)), W, outputs, 'to-safe').held).toBe(true);
  });
  test('a value that is neither commanded nor safe is an uncommanded change', () => {
    const r = evaluateNoUncommandedChange(series((t) => (t > 2000 && t < 2100 ? 17 : 40)), W, outputs, 'hold-or-safe');
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/valve=17 \(neither commanded 40 nor safe 0\)/);
  });
  test('flapping back to commanded while the master is still away is uncommanded (to-safe)', () => {
    const r = evaluateNoUncommandedChange(series((t) => (t >= 2000 && t < 2500 ? 0 : 40)), W, outputs, 'to-safe');
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/went back/);
  });
  test('a safe value before the fault is not normal operation', () => {
    expect(evaluateNoUncommandedChange(series((t) => (t < 500 ? 0 : 40)), W, outputs, 'hold-or-safe').held).toBe(false);
  });
});

describe('recovery within declared time', () => {
  test('measured from the fault end to the first stable normal sample', () => {
    const r = evaluateRecovery(series((t) => (t >= 2000 && t < 3200 ? 0 : 40)), W, outputs, 1500, 'hb');
    expect(r.held).toBe(true);
    expect(r.measurements.recoveryMs!.value).toBe(200);
  });
  test('never recovering fails naming the output', () => {
    const r = evaluateRecovery(series((t) => (t >= 2000 ? 0 : 40)), W, outputs, 1500, 'hb');
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/no recovery.*valve=0 \(normal 40\)/);
  });
});

describe('summary', () => {
  test('hardened-like series → PASS with the measurements', () => {
    const s = evaluateFaultRun({ samples: series(goesSafeAt(1010)), windows: W, outputs, heartbeat: hb, expectation: 'safe-state', reactionMs: 1500, recoveryMs: 1500, config: { before: { a: 1 }, after: { a: 1 } } });
    expect(s.verdict, s.reasons.join('; ')).toBe('PASS');
    const names = s.measurements.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['reactionMs', 'longestHeartbeatGapMs', 'heartbeatJitterP95Ms', 'recoveryMs']));
  });
  test('changed configuration → FAIL naming the key', () => {
    const s = evaluateFaultRun({ samples: series(goesSafeAt(1010)), windows: W, outputs, heartbeat: hb, expectation: 'safe-state', reactionMs: 1500, recoveryMs: 1500, config: { before: { sp: 45 }, after: { sp: 0 } } });
    expect(s.verdict).toBe('FAIL');
    expect(s.reasons.join()).toMatch(/configuration changed.*sp: 45 → 0/);
  });
  test('a monitor that failed most reads during the fault → INCONCLUSIVE', () => {
    const samples = series(goesSafeAt(1010)).map((s) => (s.t > 1000 && s.t < 2800 ? { ...s, ok: false, values: {} } : s));
    expect(evaluateFaultRun({ samples, windows: W, outputs, expectation: 'hold-or-safe', reactionMs: 1500, recoveryMs: 1500 }).verdict).toBe('INCONCLUSIVE');
  });
  test('percentile is nearest-rank', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([5, 1, 3], 50)).toBe(3);
  });
});
