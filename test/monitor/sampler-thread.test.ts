import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { evaluateHeartbeat } from '../../harness/monitor/invariants/heartbeat-alive.js';
import { startSampler } from '../../harness/monitor/sampler.js';
import { startSamplerThread } from '../../harness/monitor/sampler-thread.js';
import { observationHoles } from '../../harness/monitor/unobserved.js';
import { FieldMonitor } from '../../harness/protocols/monitor/monitor-channel.js';
import type { MonitorChannel } from '../../harness/profile/target-schema.js';
import { startCpuHogs } from './cpu-hog.js';

/** Blocks this thread (the scenario's event loop) for `ms`, as a busy scenario or a GC pause would. */
const blockThread = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* busy */ } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hb = { point: 'heartbeat', periodMs: 100, jitterToleranceMs: 60 };

/**
 * The safe-state sampler runs in a worker thread with its own monitor connection: the device is a
 * real process model behind a real Modbus TCP field monitor (the simulator's), in its own process.
 */
describe('sampler thread: off the scenario event loop, lateness measured per sample', () => {
  let device: ChildProcess;
  let monitor: MonitorChannel;
  const hang = (ms: number) => new Promise<void>((resolve) => { device.once('message', () => resolve()); device.send({ hang: ms }); });
  beforeAll(async () => {
    const tsx = join(import.meta.dirname, '../../node_modules/tsx/dist/cli.mjs');
    device = spawn(process.execPath, [tsx, join(import.meta.dirname, 'field-device-child.ts')], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      device.once('exit', (c) => reject(new Error(`device child exited (${c})`)));
      device.stdout!.setEncoding('utf8').once('data', (line: string) => resolve((JSON.parse(line) as { port: number }).port));
    });
    monitor = { modbusTcp: `tcp://127.0.0.1:${port}`, unitId: 1, timeoutMs: 500, points: { valve: { table: 'input', address: 1, scale: 1 }, heartbeat: { table: 'input', address: 3, scale: 1 } } };
  }, 60_000);
  afterAll(async () => {
    if (device && device.exitCode === null) await new Promise<void>((resolve) => { device.once('exit', () => resolve()); device.kill('SIGTERM'); });
  });

  test('samples at 10 ms into the evidence, each with its lateness', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-sampler-thread-'));
    const evidence = new EvidenceLog(dir, 'sampler-thread-test');
    const s = startSamplerThread({ monitor, periodMs: 10, evidence });
    expect(await s.waitFor((x) => x.ok, 10_000)).toBeDefined();
    await sleep(1500);
    const st = await s.stop();
    expect(st.failedReads).toBe(0);
    expect(st.samples).toBeGreaterThan(80);
    expect(s.samples.every((x) => typeof x.lateMs === 'number')).toBe(true);
    expect(st.lateP95Ms).not.toBeNull();
    const recs = readFileSync(evidence.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.dir === 'sample');
    expect(recs.reduce((n, r) => n + r.attrs.rows.length, 0)).toBe(st.samples);
    expect(typeof recs[0].attrs.lateMaxMs).toBe('number');
  });

  test('a 600 ms stall of the scenario thread: the thread sampler keeps sampling; an in-thread sampler would have seen a "device" gap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-sampler-thread-'));
    const fm = await FieldMonitor.open(monitor, { evidence: new EvidenceLog(dir, 'in-thread') }, { log: 'none' });
    const inThread = startSampler({ source: fm, periodMs: 10 });
    const thread = startSamplerThread({ monitor, periodMs: 10 });
    await thread.waitFor((x) => x.ok, 10_000);
    await sleep(500);
    const from = performance.now();
    blockThread(600);
    await sleep(500);
    const to = performance.now();
    await thread.stop();
    await inThread.stop();
    await fm.close();

    // The thread's samples cover the stall of this thread.
    const during = thread.samples.filter((x) => x.t >= from && x.t < from + 600);
    expect(during.length).toBeGreaterThan(20);
    const tr = evaluateHeartbeat(thread.samples, from - 400, to, hb, 'during the stall', observationHoles(thread.samples, 10));
    expect(tr.held, tr.reason).toBe(true);

    // The in-thread sampler saw nothing for 600 ms: judged naively, the device "stopped"; with its
    // lateness as unobserved time it is never a device FAIL.
    expect(Math.max(...inThread.samples.filter((x) => x.t > from - 50).map((x) => x.lateMs ?? 0))).toBeGreaterThan(500);
    expect(evaluateHeartbeat(inThread.samples, from - 400, to, hb).held).toBe(false);
    const it = evaluateHeartbeat(inThread.samples, from - 400, to, hb, 'during the stall', observationHoles(inThread.samples, 10));
    expect(it.held, it.reason).not.toBe(false);
  });

  test('under two CPU hogs a real heartbeat stall of the device is still FAIL, and a running heartbeat still holds', async () => {
    const hogs = startCpuHogs(2, 60_000);
    try {
      const s = startSamplerThread({ monitor, periodMs: 10 });
      await s.waitFor((x) => x.ok, 10_000);
      await sleep(1500);
      const okFrom = performance.now() - 1200;
      const okTo = performance.now();
      const stallFrom = performance.now();
      await hang(1000);
      await sleep(1500);
      const stallTo = performance.now();
      await s.stop();
      const holes = observationHoles(s.samples, 10);
      const running = evaluateHeartbeat(s.samples, okFrom, okTo, hb, 'before the stall', holes);
      expect(running.held, running.reason).not.toBe(false);
      const stalled = evaluateHeartbeat(s.samples, stallFrom, stallTo, hb, 'during the stall', holes);
      expect(stalled.held, stalled.reason).toBe(false);
      expect(stalled.reason).toMatch(/heartbeat stopped during the stall/);
    } finally {
      await hogs.stop();
    }
  }, 60_000);
});
