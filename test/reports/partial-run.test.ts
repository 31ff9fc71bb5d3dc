import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { NOT_FINISHED_REASON } from '../../reports/runs/partial-report.js';
import { renderRunDirectory } from '../../reports/runs/render-run.js';
import { verifyRunDirectory } from '../../reports/signing/verify-run.js';
import { buildFixtureRun } from './run-fixture.js';
import { tempRunDir, testEnv } from './external-tool.js';

describe('hil report on a run killed mid-way', () => {
  it('rebuilds report.json from the evidence: finished scenarios, the interrupted one as ERROR, the rest NOT_RUN', async () => {
    const dir = tempRunDir('killed');
    await buildFixtureRun(dir, { profile: 'hardened', killDuring: 'modbus-range' });
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
    const r = renderRunDirectory(dir, { env: testEnv() });
    expect(r.reportRewritten).toBe(true);
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.run.partial).toBe(true);
    expect(report.target.name).toBe('sim-gateway');
    expect(report.target.identity.firmware).toBe('1.9.3');
    const byId = Object.fromEntries(report.results.map((x) => [x.scenarioId, x]));
    expect(byId['lockout-console']!.verdict).toBe('PASS');
    expect(byId['lockout-console']!.measurements.map((m) => m.name)).toContain('lockoutDuration');
    expect(byId['port-allowlist']!.verdict).toBe('PASS');
    expect(byId['modbus-range']!.verdict).toBe('ERROR');
    expect(byId['modbus-range']!.reason).toBe(NOT_FINISHED_REASON);
    expect(byId['modbus-range']!.title).toBe('Out-of-range Modbus write is rejected');
    expect(byId['mqtt-acl']!.verdict).toBe('NOT_RUN');
    expect(report.summary.overall).toBe('ERROR');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('Partial run.');
    expect(verifyRunDirectory(dir).ok).toBe(true);
  });
});
