// Compiles the harness's TypeScript sources into the compiled tree (see bin/compiled-tree.js) with
// esbuild's per-file transform: no bundling, so every module keeps its own file and identity, and
// relative `.ts` import specifiers become `.js`. Type-checking is `npm run typecheck`'s job.
// Each build writes a tree of its own (.build-<id>) and then swaps the `.build` link to it in one
// rename: a `hil` starting meanwhile sees the old tree or the new one, and a `hil` already running
// keeps loading from the tree it started with. Trees older than the previous one are removed once
// they are an hour old.
//
//   node scripts/build.mjs        (npm run build; `npm run setup` and `npm run bench` run it)
import { transform } from 'esbuild';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUILD_DIR, BUILD_INFO, CLOCK_MARGIN_MS, REPO_ROOT, SOURCE_ROOTS, sourceFiles, sourcesChangedMs } from '../bin/compiled-tree.js';

// Relative specifiers ending in .ts: static imports/exports, side-effect imports, dynamic import().
const TS_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g;
// Any relative .ts path left in a string (new URL('./x.ts', ...), a template): the tree would miss it.
const TS_PATH_LEFT = /['"`]\.{1,2}\/[^'"`\s]+\.ts['"`]/;

const OLD_TREE_MS = 3_600_000;

// A source changed within the clock margin would count as changed after the build: wait it out.
for (let age = Date.now() - sourcesChangedMs(); age <= CLOCK_MARGIN_MS; age = Date.now() - sourcesChangedMs()) {
  await sleep(CLOCK_MARGIN_MS - age + 10);
}
const sourcesReadFromMs = Date.now();
const treeName = `${BUILD_DIR}-${sourcesReadFromMs}-${process.pid}`;
const tree = join(REPO_ROOT, treeName);
const link = join(REPO_ROOT, BUILD_DIR);
let count = 0;
try {
  const files = SOURCE_ROOTS.flatMap((r) => sourceFiles(join(REPO_ROOT, r)));
  await Promise.all(
    files.map(async (file) => {
      const rel = relative(REPO_ROOT, file);
      const { code } = await transform(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: rel });
      const out = code.replace(TS_SPECIFIER, '$1$2$3.js$2');
      const left = TS_PATH_LEFT.exec(out);
      if (left) throw new Error(`${rel}: ${left[0]} is a path to a TypeScript file the compiled tree does not have; import it with a .js specifier`);
      const dest = join(tree, rel.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, out);
      count++;
    }),
  );
  writeFileSync(join(tree, BUILD_INFO), `${JSON.stringify({ sourcesReadFromMs, files: count })}\n`);
} catch (e) {
  rmSync(tree, { recursive: true, force: true });
  throw e;
}

// Swap the link in one rename; a `.build` folder of the earlier layout is replaced once.
let previous;
try {
  if (lstatSync(link).isSymbolicLink()) previous = readlinkSync(link);
  else rmSync(link, { recursive: true, force: true });
} catch {
  // no tree yet
}
const tmpLink = join(REPO_ROOT, `${BUILD_DIR}.tmp-${process.pid}`);
rmSync(tmpLink, { force: true });
symlinkSync(treeName, tmpLink);
renameSync(tmpLink, link);
// Older trees go once they are an hour old: a run started from one keeps loading its modules.
for (const e of readdirSync(REPO_ROOT)) {
  const builtAt = Number(/^\.build-(\d+)-\d+$/.exec(e)?.[1]);
  if (e !== treeName && e !== previous && builtAt < sourcesReadFromMs - OLD_TREE_MS) rmSync(join(REPO_ROOT, e), { recursive: true, force: true });
}
process.stdout.write(`build: ${count} modules compiled into ${BUILD_DIR}/ (${treeName}) in ${Date.now() - sourcesReadFromMs} ms\n`);
