// Compiles the harness's TypeScript sources into the compiled tree (<repo>/.build, same layout;
// see bin/compiled-tree.js) with esbuild's per-file transform: no bundling, so every module keeps
// its own file and identity, and relative `.ts` import specifiers become `.js`. Type-checking is
// `npm run typecheck`'s job. The tree is written beside the old one and swapped in whole, so a
// `hil` starting meanwhile sees either the old complete tree or the new one.
//
//   node scripts/build.mjs        (npm run build; `npm run setup` runs it)
import { transform } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BUILD_DIR, BUILD_INFO, REPO_ROOT, SOURCE_ROOTS } from '../bin/compiled-tree.js';

// Relative specifiers ending in .ts, in static imports/exports and in dynamic import().
const TS_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g;

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const sourcesReadFromMs = Date.now();
const staging = join(REPO_ROOT, `${BUILD_DIR}.tmp-${process.pid}`);
const target = join(REPO_ROOT, BUILD_DIR);
rmSync(staging, { recursive: true, force: true });
let count = 0;
try {
  const files = SOURCE_ROOTS.flatMap((r) => sources(join(REPO_ROOT, r)));
  await Promise.all(
    files.map(async (file) => {
      const rel = relative(REPO_ROOT, file);
      const { code } = await transform(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: rel });
      const out = join(staging, rel.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, code.replace(TS_SPECIFIER, '$1$2$3.js$2'));
      count++;
    }),
  );
  writeFileSync(join(staging, BUILD_INFO), `${JSON.stringify({ sourcesReadFromMs, files: count })}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
} catch (e) {
  rmSync(staging, { recursive: true, force: true });
  throw e;
}
process.stdout.write(`build: ${count} modules compiled into ${BUILD_DIR}/ in ${Date.now() - sourcesReadFromMs} ms\n`);
