import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ReportSchema, type Report } from '../../harness/core/result-schema.js';
import { startCpuHogs } from '../monitor/cpu-hog.js';
import { needParts } from '../support/real-parts.js';
import { hil } from './cli-process.js';

const parts = await needParts('socat');
const broker = await needParts('socat', 'mosquitto');

/** Every line `hil demo` may print: its own status, progress, matrix, paths and conclusion. */
const HARNESS_LINES = [
  /^$/,
  /^hil demo: /,
  /^\s*\d+(\.\d+)? (ms|s)\s+\[sim-(hardened|weak|hostile)\] (PASS|FAIL|INCONCL|N\/A|ERROR|NOT RUN)\s+[a-z-]+ — /,
  /^scenario(\s+sim-(hardened|weak|hostile))+$/,
  /^[a-z-]+(\s+(PASS|FAIL|INCONCL|N\/A|ERROR|NOT RUN|-))+$/,
  /^(report|logs): +\//,
  /^ {8}\//,
  /^hil demo took \d+(\.\d+)? (ms|s)\.$/,
  /^As expected: /,
  /^UNEXPECTED \(see the reports\):$/,
  /^ {2}sim-(hardened|weak|hostile) [a-z-]+: /,
];

/** The lines of the demo's output that are not the harness's own (library log lines). */
function foreignLines(output: string): string[] {
  return output.split('\n').filter((l) => !HARNESS_LINES.some((re) => re.test(l)));
}

function demoEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'hil-cfg-')) };
  delete env.HIL_SIM_ADMIN_PASSWORD; // the demo makes its own
  delete env.HIL_SIM_OPERATOR_PASSWORD;
  return env;
}

const readReport = (dir: string): Report => ReportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));

/**
 * The README's main command. Every scenario's PASS/FAIL behaviour is proven in test/scenarios; here
 * the command itself: both simulators start in their own processes with fresh random passwords,
 * the suite runs against both, the matrix and report paths are printed, nothing secret leaks,
 * nothing but the harness's own lines reaches the terminal, exit 0.
 */
describe.skipIf(parts.skip)('hil demo', () => {
  test('runs against hardened and weak, prints the matrix and the report paths, exit 0', async () => {
    parts.assert();
    const out = mkdtempSync(join(tmpdir(), 'hil-demo-'));
    const env = demoEnv();
    const r = await hil(['demo', '--out', out, '--scenario', 'port-closure', '--scenario', 'unauthenticated-access', '--scenario', 'secure-channel'], env, 300_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scenario\s+sim-hardened\s+sim-weak/);
    expect(r.stdout).toMatch(/port-closure\s+PASS\s+FAIL/);
    expect(r.stdout).toMatch(/unauthenticated-access\s+PASS\s+FAIL/);
    expect(r.stdout).toMatch(/As expected/);
    for (const profile of ['hardened', 'weak']) {
      const dir = join(out, `sim-${profile}`);
      expect(r.stdout).toContain(join(dir, 'report.html'));
      const report = readReport(dir);
      expect(report.target.name).toBe(`sim-${profile}`);
      expect(existsSync(join(dir, 'manifest.sig'))).toBe(true);
      // The demo's generated passwords never reach the run directory.
      const evidence = readFileSync(join(dir, 'evidence.jsonl'), 'utf8');
      expect(evidence).not.toMatch(/Demo-[A-Za-z0-9_-]{12}#7/);
      // The simulator ran in its own process and logged to its file in the output directory.
      expect(existsSync(join(out, `sim-${profile}.log`))).toBe(true);
    }
    // Only the harness's own lines: no library log line on the terminal.
    expect(foreignLines(r.stdout + r.stderr)).toEqual([]);
    const v = await hil(['verify', join(out, 'sim-weak')], env);
    expect(v.code, v.stdout).toBe(0);
  }, 300_000);

  test('--hostile: the hostile simulator (targets/sim-hostile.yaml) gives no PASS and no FAIL, exit 0', async () => {
    parts.assert();
    const out = mkdtempSync(join(tmpdir(), 'hil-demo-hostile-'));
    const r = await hil(['demo', '--hostile', '--no-opcua', '--out', out, '--scenario', 'default-credentials', '--scenario', 'port-closure'], demoEnv(), 300_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scenario\s+sim-hostile$/m);
    expect(r.stdout).toMatch(/As expected: against the hostile simulator nothing passed or failed/);
    const report = readReport(join(out, 'sim-hostile'));
    expect(report.target.name).toBe('sim-hostile');
    expect(report.summary.PASS + report.summary.FAIL).toBe(0);
    expect(foreignLines(r.stdout + r.stderr)).toEqual([]);
  }, 300_000);
});

describe.skipIf(parts.skip)('hil demo upstream: link-loss and broker-outage run against a broker the demo controls', () => {
  test('embedded broker (no Mosquitto needed): hardened PASS, weak FAIL for its reconnect storm', async () => {
    parts.assert();
    const out = mkdtempSync(join(tmpdir(), 'hil-demo-up-'));
    const r = await hil(['demo', '--embedded-broker', '--no-opcua', '--out', out, '--scenario', 'link-loss', '--scenario', 'broker-outage'], demoEnv(), 400_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/upstream broker for sim-hardened: embedded \(aedes/);
    expect(r.stdout).toMatch(/link-loss\s+PASS\s+FAIL/);
    expect(r.stdout).toMatch(/broker-outage\s+PASS\s+FAIL/);
    const weak = readReport(join(out, 'sim-weak'));
    for (const res of weak.results) expect(res.reason).toMatch(/reconnect storm: \d+(\.\d+)? attempts\/s/);
    expect(foreignLines(r.stdout + r.stderr)).toEqual([]);
  }, 400_000);
});

/** What the weak simulator must fail each scenario for (its named reason). */
const WEAK_REASONS: Record<string, RegExp> = {
  'default-credentials': /admin\/admin \(vendor manual\) accepted/,
  'unauthenticated-access': /anonymous (MQTT client accepted|OPC UA session activated)/,
  'secure-channel': /MQTT offered without TLS|OPC UA offers endpoints without security/,
  'privilege-separation': /non-admin '[a-z]+' changed/,
  'port-closure': /unexpected open TCP port/,
  'range-check': /was stored/,
  'idle-session-timeout': /session still open after/,
  lockout: /still accepted .* after \d+ failed logins \(no lockout/,
  'safe-state-master-loss': /held an unsafe value/,
  'link-loss': /reconnect storm/,
  'broker-outage': /reconnect storm/,
  'malformed-input': /heartbeat stopped during the fault/,
  // The weak simulator's real heartbeat stall under the storm: still FAIL while the hogs load the cores.
  'request-storm': /heartbeat stopped during the fault/,
};

/**
 * The issue this answers: on a loaded 2-core machine the demo reported the hardened simulator's
 * heartbeat as stopped while the harness stalled. Two bounded CPU hogs load both cores for the
 * whole demo: the hardened column must be all PASS (no N/A: the upstream scenarios run), the weak
 * column FAIL everywhere for its reason, and the weak simulator's real heartbeat stall (request
 * storm) is still a FAIL under the same load.
 */
describe.skipIf(broker.skip)('hil demo under load', () => {
  test('two CPU hogs on both cores: hardened all PASS, weak all FAIL for their reasons, no library lines, exit 0', async () => {
    broker.assert();
    const out = mkdtempSync(join(tmpdir(), 'hil-demo-load-'));
    const hogs = startCpuHogs(2, 1_200_000);
    let r;
    const t0 = Date.now();
    try {
      r = await hil(['demo', '--out', out], demoEnv(), 1_100_000);
    } finally {
      await hogs.stop();
    }
    console.log(`hil demo under two CPU hogs: ${((Date.now() - t0) / 1000).toFixed(1)} s\n${r.stdout.slice(r.stdout.indexOf('\nscenario'))}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const hardened = readReport(join(out, 'sim-hardened'));
    const weak = readReport(join(out, 'sim-weak'));
    expect(hardened.results.length).toBeGreaterThanOrEqual(13);
    for (const res of hardened.results) expect(res.verdict, `${res.scenarioId}: ${res.reason}`).toBe('PASS');
    for (const res of weak.results) {
      expect(res.verdict, `${res.scenarioId}: ${res.reason}`).toBe('FAIL');
      expect(WEAK_REASONS[res.scenarioId], `no named reason declared for ${res.scenarioId}`).toBeDefined();
      expect(res.reason, res.scenarioId).toMatch(WEAK_REASONS[res.scenarioId]!);
    }
    expect(foreignLines(r.stdout + r.stderr)).toEqual([]);
  }, 1_200_000);
});
