import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FieldMonitor } from '../../harness/protocols/monitor/monitor-channel.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { analyseHeartbeat } from '../../harness/monitor/invariants/heartbeat-alive.js';
import { startSampler, type MonitorSource } from '../../harness/monitor/sampler.js';
import { startSimulator, type Simulator } from '../../simulators/gateway/index.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('socat');

describe.skipIf(parts.skip)('monitor sampler against the simulator field monitor', () => {
  let sim: Simulator;
  beforeAll(async () => { sim = await startSimulator({ profile: 'hardened', opcua: false }); });
  afterAll(async () => { await sim?.stop(); });

  test('10 ms period on one connection, jitter measured, samples batched into the evidence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-sampler-'));
    const evidence = new EvidenceLog(dir, 'sampler-test');
    const mon = await FieldMonitor.open({ modbusTcp: sim.endpoints.fieldMonitor, unitId: 1, timeoutMs: 500, points: { valve: { table: 'input', address: 1, scale: 1 }, heartbeat: { table: 'input', address: 3, scale: 1 } } }, { evidence }, { log: 'none' });
    const sampler = startSampler({ source: mon, periodMs: 10, evidence });
    await new Promise((r) => setTimeout(r, 2000));
    const stats = await sampler.stop();
    await mon.close();
    console.log('sampler stats', JSON.stringify(stats));
    expect(stats.failedReads).toBe(0);
    expect(stats.achievedPeriodMs!).toBeGreaterThan(9);
    expect(stats.achievedPeriodMs!).toBeLessThan(13);
    expect(stats.samples).toBeGreaterThan(150);
    expect(stats.jitterP50Ms!).toBeLessThan(3);
    // The heartbeat (100 ms) is seen incrementing with small jitter.
    const hb = analyseHeartbeat(sampler.samples, 0, Infinity, { point: 'heartbeat', periodMs: 100, jitterToleranceMs: 60 });
    expect(hb.increments).toBeGreaterThanOrEqual(17);
    expect(hb.withinPct).toBeGreaterThanOrEqual(95);
    // About one 'sample' record per 100 ms, each with its rows.
    const recs = readFileSync(evidence.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.dir === 'sample');
    expect(recs.length).toBeGreaterThan(10);
    expect(recs.length).toBeLessThan(40);
    expect(recs.reduce((n, r) => n + r.attrs.rows.length, 0)).toBe(stats.samples);
    expect(recs[0].attrs.points).toEqual(['valve', 'heartbeat']);
  });
});

describe('sampler timing with a fake source', () => {
  test('a slow read skips ticks instead of bunching them, and counts them', async () => {
    let n = 0;
    const source: MonitorSource = {
      pointNames: ['x'],
      readAll: async () => {
        n++;
        if (n === 5) await new Promise((r) => setTimeout(r, 55));
        return { ok: true, values: { x: n }, raw: { x: n }, at: Date.now(), elapsedMs: 0 };
      },
    };
    const s = startSampler({ source, periodMs: 10 });
    await new Promise((r) => setTimeout(r, 300));
    const st = await s.stop();
    expect(st.missedTicks).toBeGreaterThanOrEqual(4);
    // No two reads closer than half a period: nothing was bunched to catch up.
    const gaps = s.samples.slice(1).map((x, i) => x.t - s.samples[i]!.t);
    expect(Math.min(...gaps)).toBeGreaterThan(5);
  });
  test('waitFor resolves on a matching sample and times out otherwise', async () => {
    let n = 0;
    const source: MonitorSource = { pointNames: ['x'], readAll: async () => ({ ok: true, values: { x: ++n }, raw: {}, at: 0, elapsedMs: 0 }) };
    const s = startSampler({ source, periodMs: 5 });
    expect((await s.waitFor((x) => (x.values.x as number) >= 3, 1000))?.values.x).toBeGreaterThanOrEqual(3);
    expect(await s.waitFor(() => false, 50)).toBeUndefined();
    await s.stop();
  });
});
