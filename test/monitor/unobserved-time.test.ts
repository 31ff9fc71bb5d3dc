import { describe, expect, test } from 'vitest';
import { evaluateHeartbeat } from '../../harness/monitor/invariants/heartbeat-alive.js';
import type { MonitorSample } from '../../harness/monitor/sample.js';
import { evaluateFaultRun } from '../../harness/monitor/summary.js';
import { observationHoles, unobservedMs } from '../../harness/monitor/unobserved.js';

/**
 * Sampled series: a sample every `period` ms from 0 to `end`, none inside the sampler's stalls
 * (`stalls`), and a heartbeat that increments every 100 ms except while the device is stalled
 * (`deviceStalls`). The heartbeat value read is what the device shows at the sample time.
 */
function series(o: { end: number; period?: number; stalls?: [number, number][]; deviceStalls?: [number, number][] }): MonitorSample[] {
  const period = o.period ?? 10;
  const inside = (t: number, spans: [number, number][] = []) => spans.some(([a, b]) => t >= a && t < b);
  const hbAt = (t: number) => {
    let n = 0;
    for (let k = 100; k <= t; k += 100) if (!inside(k, o.deviceStalls)) n++;
    return n;
  };
  const out: MonitorSample[] = [];
  for (let t = 0; t <= o.end; t += period) {
    if (inside(t, o.stalls)) continue;
    // How late the sampler was: the time since the slot after the previous sample.
    const prev = out.at(-1);
    out.push({ t, ok: true, values: { heartbeat: hbAt(t), valve: 30 }, readMs: 0.5, lateMs: prev ? t - prev.t - period : 0 });
  }
  return out;
}

const hb = { point: 'heartbeat', periodMs: 100, jitterToleranceMs: 60 };

describe('unobserved time: the harness never blames the device for its own stalls', () => {
  test('a sampler stall is a hole; its time is unobserved', () => {
    const s = series({ end: 2000, stalls: [[500, 950]] });
    const holes = observationHoles(s, 10);
    expect(holes).toHaveLength(1);
    expect(unobservedMs(holes, 0, 2000)).toBeGreaterThan(400);
    expect(s.find((x) => x.t === 950)?.lateMs).toBe(450);
  });

  test('a heartbeat gap that overlaps a sampler stall is not a device gap', () => {
    // The sampler stalled 450 ms; the device kept its heartbeat (it shows +4 after the stall).
    const s = series({ end: 4000, stalls: [[505, 955]] });
    const holes = observationHoles(s, 10);
    // Judged as before (no notion of unobserved time), the stall looks like the device's: FAIL.
    expect(evaluateHeartbeat(s, 0, 4000, hb).held).toBe(false);
    const r = evaluateHeartbeat(s, 0, 4000, hb, 'during the fault', holes);
    expect(r.held, r.reason).toBe(true);
    expect(r.reason).toMatch(/ms unobserved by the harness/);
    expect(r.measurements.heartbeatUnobservedMs!.value).toBeGreaterThan(400);
  });

  test('when the harness missed more than the declared share, the check is INCONCLUSIVE, never FAIL', () => {
    const s = series({ end: 2000, stalls: [[300, 1000]] });
    const holes = observationHoles(s, 10);
    const r = evaluateHeartbeat(s, 0, 2000, { ...hb, maxUnobservedPct: 20 }, 'during the fault', holes);
    expect(r.held).toBeUndefined();
    expect(r.reason).toMatch(/not judged: the harness did not observe \d+ ms \(\d+(\.\d+)?%\) of the window/);
    // The fault run as a whole: INCONCLUSIVE, with the unobserved share as a measurement.
    const sum = evaluateFaultRun({
      samples: s,
      windows: { fault: 'test', preStart: 0, faultStart: 200, faultEnd: 1500, postEnd: 2000 },
      outputs: [{ point: 'valve', normal: 30, safe: 0, tolerance: 0 }],
      heartbeat: hb,
      expectation: 'hold-or-safe',
      reactionMs: 1500,
      recoveryMs: 400,
      samplerPeriodMs: 10,
    });
    expect(sum.verdict).toBe('INCONCLUSIVE');
    expect(sum.reasons.join(' ')).toMatch(/did not observe/);
    expect(sum.measurements.find((m) => m.name === 'unobservedPct')?.value).toBeGreaterThan(20);
  });

  test('a real device stall is still FAIL, also when the sampler stalled elsewhere in the window', () => {
    const s = series({ end: 3000, stalls: [[200, 350]], deviceStalls: [[1000, 1900]] });
    const r = evaluateHeartbeat(s, 0, 3000, hb, 'during the fault', observationHoles(s, 10));
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/heartbeat stopped during the fault: heartbeat did not change for (9\d\d|1\d\d\d) ms/);
  });

  test('a device stall that the sampler partly missed is FAIL when what was watched already exceeds the maximum outage', () => {
    const s = series({ end: 3000, stalls: [[1200, 1300]], deviceStalls: [[1000, 1900]] });
    const r = evaluateHeartbeat(s, 0, 3000, hb, 'during the fault', observationHoles(s, 10));
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/with the time the harness did not observe/);
  });
});

describe('essential-function criteria as labs state them', () => {
  test('declared maximum outage: a 300 ms gap fails a 200 ms limit and passes the default (320 ms)', () => {
    const s = series({ end: 4000, deviceStalls: [[700, 900]] });
    expect(evaluateHeartbeat(s, 0, 4000, hb).held).toBe(true);
    const r = evaluateHeartbeat(s, 0, 4000, { ...hb, maxOutageMs: 200 });
    expect(r.held).toBe(false);
    expect(r.reason).toMatch(/max outage 200 ms/);
    expect(r.measurements.longestHeartbeatGapMs).toMatchObject({ max: 200 });
  });

  test('declared share of periods within tolerance; the verdict shows both figures', () => {
    const s = series({ end: 3000 });
    const ok = evaluateHeartbeat(s, 0, 3000, { ...hb, minWithinFraction: 0.95 });
    expect(ok.held).toBe(true);
    expect(ok.reason).toMatch(/100% of \d+ periods within ±60 ms \(need ≥ 95%\), longest outage \d+ ms \(max 320 ms\)/);
    expect(ok.measurements.heartbeatWithinTolerancePct).toMatchObject({ value: 100, min: 95 });
    // A device whose heartbeat misses one beat in ten: 90 % within tolerance fails "≥ 95 %".
    const jittery = series({ end: 3000, deviceStalls: [[500, 501], [1500, 1501], [2500, 2501]] });
    const bad = evaluateHeartbeat(jittery, 0, 3000, { ...hb, jitterToleranceMs: 30, minWithinFraction: 0.95 });
    expect(bad.held).toBe(false);
    expect(bad.reason).toMatch(/heartbeat jitter during the fault: only \d+(\.\d+)?% of \d+ periods .*need ≥ 95%.*longest outage \d+ ms, max \d+ ms/);
  });
});
