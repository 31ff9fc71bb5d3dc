import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { freePortBlock } from '../../harness/demo/free-port-block.js';
import { SIM_BLOCK, SIM_PORT_OFFSETS } from '../../harness/demo/sim-in-block.js';
import { simTargetEnv, type SimEndpointsLike } from '../../harness/demo/sim-target-env.js';
import portClosure from '../../scenarios/port-closure.scenario.js';
import { cliEnv, hil, startSimProcess } from '../cli/cli-process.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';
import { needParts } from '../support/real-parts.js';

/**
 * `hil run` end to end: one scenario whose MQTT side FAILs (the weak simulator takes plaintext
 * MQTT although the profile declares TLS) while its OPC UA side ERRORs (the endpoint is a test
 * listener that drops every connection) is FAIL, its reason starts with the FAIL, and the run
 * exits 1, not 2.
 */
const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

describe.skipIf(parts.skip)('hil run exits 1 when a FAIL sits next to an ERROR', () => {
  let sim: { stop: () => Promise<number | null> } | undefined;
  let dropper: Server;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    parts.assert();
    dropper = createServer((s) => s.destroy());
    await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', r));
    const dropPort = (dropper.address() as { port: number }).port;
    const base = await freePortBlock('127.0.0.1', SIM_BLOCK, Object.values(SIM_PORT_OFFSETS), []);
    const baseEnv = cliEnv();
    const s = await startSimProcess(['--profile', 'weak', '--no-opcua', '--base-port', String(base), '--pty-dir', mkdtempSync(join(tmpdir(), 'hil-ff-exit-'))], baseEnv);
    sim = s;
    env = {
      ...baseEnv,
      ...simTargetEnv(s.ready as unknown as SimEndpointsLike, `${base}-${base + SIM_BLOCK - 1}`),
      HIL_SIM_OPCUA_ENABLED: 'true',
      HIL_SIM_OPCUA: `opc.tcp://127.0.0.1:${dropPort}/UA/Gateway`,
    };
  }, 60_000);

  afterAll(async () => {
    if (sim) expect(await sim.stop()).toBe(0);
    await new Promise<void>((r) => dropper?.close(() => r()));
  });

  test('secure-channel: mqtt FAIL + opcua ERROR → scenario FAIL, reason starts with the FAIL, exit 1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hil-ff-run-'));
    const r = await hil(['run', '--target', join(targets, 'sim-weak.yaml'), '--out', out, '--scenario', 'secure-channel'], env, 180_000);
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    const sc = report.results.find((x) => x.scenarioId === 'secure-channel')!;
    expect(sc.perInterface?.mqtt, sc.reason).toBe('FAIL');
    expect(sc.perInterface?.opcua, sc.reason).toBe('ERROR');
    expect(sc.verdict).toBe('FAIL');
    expect(sc.reason).toMatch(/^\[mqtt\] /);
    expect(sc.reason).toMatch(/ERROR: \[opcua\] /);
    expect(sc.checks?.some((c) => c.verdict === 'FAIL' && c.iface === 'mqtt')).toBe(true);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| ❌ FAIL \| secure-channel \|/);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase [^>]*name="secure-channel › [^"]*"[^>]*>\s*<properties>[^]*?<failure message="FAIL: /);
  }, 200_000);
});

describe.skipIf(parts.skip)('port-closure: every measurement of a PASS is within its limits', () => {
  test('hardened: PASS, unexpectedOpenTcpPortCount 0 within equals 0, the list informational', async () => {
    const { result } = await runScenarioAgainstSim(portClosure, { profile: 'hardened' });
    expect(result.verdict, result.reason).toBe('PASS');
    expect(result.measurements.filter((m) => m.passed === false)).toEqual([]);
    expect(result.measurements.find((m) => m.name === 'unexpectedOpenTcpPortCount')).toMatchObject({ value: 0, limits: { equals: 0 }, passed: true });
    expect(result.measurements.find((m) => m.name === 'unexpectedOpenTcpPorts')).toMatchObject({ value: [] });
    expect(result.measurements.find((m) => m.name === 'unexpectedOpenTcpPorts')?.limits).toBeUndefined();
  }, 120_000);
});
