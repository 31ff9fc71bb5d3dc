import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../harness/evidence/redactor.js';
import { renderRunDirectory } from '../../reports/runs/render-run.js';
import { listFilesRecursive } from '../../reports/runs/run-files.js';
import { verifyRunDirectory } from '../../reports/signing/verify-run.js';
import { buildFixtureRun, FIXTURE_SECRET } from './run-fixture.js';
import { tempRunDir, testEnv } from './external-tool.js';

describe('secrets from the profile', () => {
  const dir = tempRunDir('secrets');
  const redactor = new Redactor([FIXTURE_SECRET]);

  beforeAll(async () => {
    // The fixture types the secret on the console, sends it in MQTT CONNECT, puts it in attrs and an attachment.
    await buildFixtureRun(dir, { profile: 'weak', redactor });
    // A careless scenario leaks it into a reason: the renderer's redactor is the last line of defence.
    const path = join(dir, 'report.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('no lockout engaged', `no lockout engaged (tried ${FIXTURE_SECRET})`));
    renderRunDirectory(dir, { redactor, env: testEnv() });
  });

  it('appear in no file of the run directory, in text, hex or base64', () => {
    const needles = [Buffer.from(FIXTURE_SECRET), Buffer.from(Buffer.from(FIXTURE_SECRET).toString('hex')), Buffer.from(Buffer.from(FIXTURE_SECRET).toString('base64'))];
    const files = listFilesRecursive(dir);
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const body = readFileSync(join(dir, f));
      for (const n of needles) expect(body.includes(n), `${f} contains the secret`).toBe(false);
    }
  });

  it('are replaced by the marker where they were, and the run still verifies', () => {
    // wire bytes are masked with '*' of the same length (framing stays valid); text fields carry the marker
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/Password: <\/span><span class="tx">\*{6,}/);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toContain('(tried [REDACTED])');
    expect(verifyRunDirectory(dir).ok).toBe(true);
  });

  it('keeps the lab private key out of the run directory', () => {
    for (const f of listFilesRecursive(dir)) expect(readFileSync(join(dir, f), 'utf8').includes('PRIVATE KEY'), f).toBe(false);
  });
});
