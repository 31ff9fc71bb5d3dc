import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, BUILD_INFO, compiledTreeFresh, REPO_ROOT, SOURCE_ROOTS } from '../../bin/compiled-tree.js';
import { hil } from './cli-process.js';

describe('compiled tree freshness', () => {
  let root: string;
  const builtAt = Date.now() - 60_000;
  const past = new Date(builtAt - 60_000);
  const after = new Date(builtAt + 1000);

  beforeAll(() => {
    // A repository-like tree whose sources all predate a complete build.
    root = mkdtempSync(join(tmpdir(), 'hil-tree-'));
    for (const r of SOURCE_ROOTS) {
      mkdirSync(join(root, r, 'sub'), { recursive: true });
      writeFileSync(join(root, r, 'sub', 'a.ts'), 'export {};\n');
      utimesSync(join(root, r, 'sub', 'a.ts'), past, past);
      utimesSync(join(root, r, 'sub'), past, past);
      utimesSync(join(root, r), past, past);
    }
    mkdirSync(join(root, BUILD_DIR));
    writeFileSync(join(root, BUILD_DIR, BUILD_INFO), JSON.stringify({ sourcesReadFromMs: builtAt }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const restore = (p: string) => utimesSync(p, past, past);

  it('a complete build with no source changed since is used; HIL_FROM_SOURCE=1 refuses it', () => {
    expect(compiledTreeFresh(root, {})).toBe(true);
    expect(compiledTreeFresh(root, { HIL_FROM_SOURCE: '1' })).toBe(false);
  });

  it('an edited source, a file added or deleted (its folder changes), or no finished build: the sources run', () => {
    const file = join(root, 'scenarios', 'sub', 'a.ts');
    utimesSync(file, after, after);
    expect(compiledTreeFresh(root, {})).toBe(false);
    restore(file);
    const dir = join(root, 'harness', 'sub');
    utimesSync(dir, after, after);
    expect(compiledTreeFresh(root, {})).toBe(false);
    restore(dir);
    expect(compiledTreeFresh(root, {})).toBe(true);
    rmSync(join(root, BUILD_DIR, BUILD_INFO));
    expect(compiledTreeFresh(root, {})).toBe(false);
  });
});

describe('hil from the compiled tree', () => {
  beforeAll(() => {
    // In CI the tree was built by setup and is fresh; after a local edit, build it once here (every
    // hil started meanwhile sees the stale or missing tree and runs the sources).
    if (!compiledTreeFresh()) execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { stdio: 'ignore' });
  }, 60_000);

  it('runs the compiled tree when fresh and prints what the sources print (help, scenario list)', async () => {
    expect(compiledTreeFresh()).toBe(true);
    const env = { ...process.env, HIL_DEBUG: '1', HIL_FROM_SOURCE: undefined };
    const fromSource = { ...env, HIL_FROM_SOURCE: '1' };
    for (const args of [['--help'], ['list']]) {
      const [c, s] = await Promise.all([hil(args, env, 60_000), hil(args, fromSource, 60_000)]);
      expect(c.stderr).toContain('running the compiled tree');
      expect(s.stderr).toContain('running the TypeScript sources');
      expect(c.code).toBe(0);
      expect(s.code).toBe(0);
      expect(c.stdout).toBe(s.stdout);
      expect(c.stdout.length).toBeGreaterThan(200);
    }
  });
});
