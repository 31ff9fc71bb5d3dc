import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderRunDirectory } from '../../reports/runs/render-run.js';
import { buildFixtureRun } from './run-fixture.js';
import { assertTool, requireTool, tempRunDir, testEnv } from './external-tool.js';

/** report.html rendered by headless Chromium; the screenshots are kept under runs/test-artifacts/ for people to look at. */
const HINT = 'apt-get install chromium';
const { skip } = requireTool('chromium', HINT);
const ARTIFACTS = resolve('runs/test-artifacts');

function screenshot(html: string, png: string): void {
  const profile = mkdtempSync(join(tmpdir(), 'hil-chromium-'));
  try {
    const r = spawnSync(
      'chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1400,2000', pathToFileURL(html).href],
      { encoding: 'utf8', timeout: 90_000 },
    );
    if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr.slice(-2000)}`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Width and height from the PNG's IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe.skipIf(skip)('report.html in headless Chromium', () => {
  const runs: Record<string, string> = {};

  beforeAll(async () => {
    assertTool('chromium', HINT);
    mkdirSync(ARTIFACTS, { recursive: true });
    const env = testEnv();
    for (const profile of ['hardened', 'weak'] as const) {
      const dir = tempRunDir(`html-${profile}`);
      await buildFixtureRun(dir, { profile });
      renderRunDirectory(dir, { env });
      runs[profile] = dir;
    }
  });

  for (const profile of ['hardened', 'weak'] as const) {
    it(`renders the ${profile} report to a screenshot`, () => {
      const png = join(ARTIFACTS, `report-${profile}.png`);
      rmSync(png, { force: true });
      screenshot(join(runs[profile]!, 'report.html'), png);
      expect(existsSync(png)).toBe(true);
      expect(pngSize(png)).toEqual({ width: 1400, height: 2000 });
      // A blank page compresses to a few kB; a rendered report with tables and colour is far larger.
      expect(statSync(png).size).toBeGreaterThan(60_000);
    }, 120_000);
  }
});
