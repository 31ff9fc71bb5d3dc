import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, BUILD_FILES, BUILD_INFO, CLOCK_MARGIN_MS, compiledTreeFresh, REPO_ROOT, SOURCE_ROOTS } from '../../bin/compiled-tree.js';
import { hil } from './cli-process.js';

describe('compiled tree freshness', () => {
  let root: string;
  // A build that read everything changed so far (as if it had waited out the clock margin); changes
  // from 20 ms on come after it.
  const builtNow = async () => {
    writeFileSync(join(root, BUILD_DIR, BUILD_INFO), JSON.stringify({ sourcesReadFromMs: Date.now() + CLOCK_MARGIN_MS + 5 }));
    await new Promise((r) => setTimeout(r, 20));
  };

  beforeAll(async () => {
    // A repository-like tree: sources in every source root, the build files, a complete build.
    root = mkdtempSync(join(tmpdir(), 'hil-tree-'));
    for (const r of SOURCE_ROOTS) {
      mkdirSync(join(root, r, 'sub'), { recursive: true });
      writeFileSync(join(root, r, 'sub', 'a.ts'), 'export {};\n');
    }
    for (const f of BUILD_FILES) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), '// build\n');
    }
    mkdirSync(join(root, BUILD_DIR));
    // The build reads sources only once they are older than the clock margin.
    await new Promise((r) => setTimeout(r, CLOCK_MARGIN_MS + 50));
    writeFileSync(join(root, BUILD_DIR, BUILD_INFO), JSON.stringify({ sourcesReadFromMs: Date.now() }));
  }, CLOCK_MARGIN_MS + 10_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a complete build with nothing changed since is used; HIL_FROM_SOURCE=1 refuses it', () => {
    expect(compiledTreeFresh(root, {})).toBe(true);
    expect(compiledTreeFresh(root, { HIL_FROM_SOURCE: '1' })).toBe(false);
  });

  it('an edited source (even with its old modification time put back), a file added, a build file changed, or no finished build: the sources run', async () => {
    const file = join(root, 'scenarios', 'sub', 'a.ts');
    const old = statSync(file).mtime;
    writeFileSync(file, 'export const changed = 1;\n');
    utimesSync(file, old, old); // as cp -p, rsync -a or tar would leave it
    expect(compiledTreeFresh(root, {})).toBe(false);
    await builtNow();
    expect(compiledTreeFresh(root, {})).toBe(true);
    writeFileSync(join(root, 'harness', 'sub', 'b.ts'), 'export {};\n');
    expect(compiledTreeFresh(root, {})).toBe(false);
    await builtNow();
    writeFileSync(join(root, BUILD_FILES[1]!), '// another build\n');
    expect(compiledTreeFresh(root, {})).toBe(false);
    await builtNow();
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
