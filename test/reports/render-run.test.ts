import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { ManifestSchema } from '../../reports/signing/manifest.js';
import { renderRunDirectory } from '../../reports/runs/render-run.js';
import { listFilesRecursive } from '../../reports/runs/run-files.js';
import { verifyRunDirectory } from '../../reports/signing/verify-run.js';
import { buildFixtureRun } from './run-fixture.js';
import { tempRunDir, testEnv } from './external-tool.js';

describe('renderRunDirectory', () => {
  const dir = tempRunDir('render');
  const env = testEnv();
  let before: string;

  beforeAll(async () => {
    await buildFixtureRun(dir, { profile: 'weak' });
    before = readFileSync(join(dir, 'report.json'), 'utf8');
    renderRunDirectory(dir, { env });
  });

  it('writes every file of the run directory contract', () => {
    for (const f of ['report.json', 'junit.xml', 'report.html', 'summary.md', 'evidence.jsonl', 'traffic.pcapng', 'manifest.json', 'manifest.sig']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
  });

  it('leaves a complete report.json as it was', () => {
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(before);
    expect(ReportSchema.safeParse(JSON.parse(before)).success).toBe(true);
  });

  it('lists every other file, attachments included, in the manifest with the public key', () => {
    const m = ManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    const listed = m.files.map((f) => f.path).sort();
    // The in-toto attestation is signed alongside the manifest, over the same files (issue 14).
    expect(listed).toEqual(listFilesRecursive(dir).filter((p) => p !== 'manifest.json' && p !== 'manifest.sig' && p !== 'run.intoto.jsonl'));
    expect(listed).toContain('attachments/console-full.log');
    expect(m.signature.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(readFileSync(join(dir, 'manifest.sig')).length).toBe(64);
  });

  it('generates the lab key on first use, 0600, outside the run directory', () => {
    const key = join(env.HIL_CONFIG_DIR!, 'lab-key.pem');
    expect(existsSync(key)).toBe(true);
    expect(readFileSync(key, 'utf8')).toContain('PRIVATE KEY');
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  it('writes a short summary.md with the verdict of each scenario', () => {
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/sim-gateway — .* FAIL/);
    for (const id of ['lockout-console', 'port-allowlist', 'modbus-range', 'mqtt-acl', 'opcua-security']) expect(md).toContain(`| ${id} |`);
    expect(md.split('\n').length).toBeLessThan(30);
  });

  it('renders a self-contained HTML page with matrix, coverage, timeline and decoded evidence', () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    // Nothing is fetched: no external src/href, no CSS url() or @import, no scripts.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(|@import|<script|<link/i);
    expect(html).toContain('Verdict matrix');
    expect(html).toContain('Requirement coverage');
    expect(html).toContain('<svg class="timeline"');
    expect(html).toContain('FC6 Write Single Register addr=10 value=5000');
    expect(html).toContain('SUBSCRIBE id=1 plant/line1/# (qos 0)');
    expect(html).toContain('Login incorrect');
    expect(html).toContain('IEC 62443-4-2');
  });
});

describe('renderRunDirectory with the runner\'s in-memory report', () => {
  it('renders every writer from the handed-over report and writes it as report.json', async () => {
    const dir = tempRunDir('render-mem');
    const { report } = await buildFixtureRun(dir, { profile: 'hardened' });
    rmSync(join(dir, 'report.json'));
    const r = renderRunDirectory(dir, { env: testEnv(), report: report! });
    expect(r.report.run.id).toBe(report!.run.id);
    expect(r.reportRewritten).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(report);
    for (const f of ['junit.xml', 'report.html', 'summary.md', 'traffic.pcapng', 'manifest.json', 'manifest.sig']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(verifyRunDirectory(dir).ok).toBe(true);
  });
});
