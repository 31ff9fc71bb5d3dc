// The compiled tree: every TypeScript source of the harness, transformed to JavaScript under
// <repo>/.build with the same layout, so `hil` starts without a TypeScript loader (tsx costs
// about half a second per process: the CLI, each scenario host, each worker thread).
// It is used only while it is fresh: a source or a source folder changed after the build began
// (an edit, a new or deleted file, a checkout, a copy or unpack over the checkout), or a change of
// the build itself, makes `hil` run the sources through tsx again. Change times (ctime) are
// compared, not modification times: copying tools and `touch` can set an old mtime, not a ctime.
// `.build` is a symlink to one complete tree (.build-<id>); a build swaps the link, so a process
// keeps the tree it started with (modules resolve to their real path).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this file belongs to. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The link to the current compiled tree, inside the repository (gitignored). */
export const BUILD_DIR = '.build';
/** Source folders compiled into the tree. */
export const SOURCE_ROOTS = ['harness', 'scenarios', 'reports', 'simulators'];
/** Files that decide how the tree is built: a change to them outdates it too. */
export const BUILD_FILES = ['bin/compiled-tree.js', 'scripts/build.mjs'];
/** Written last by the build: when it began reading the sources. */
export const BUILD_INFO = 'build-info.json';
/**
 * File times lag the clock by up to a few ms (the kernel's coarse clock) and some filesystems keep
 * seconds: a change less than this before the build began counts as after it. The build waits
 * until its sources are this old before it reads them.
 */
export const CLOCK_MARGIN_MS = 2000;

/** Latest change time (ms) under `dir`, the folder itself included, of folders and `.ts` files. */
export function latestChangeMs(dir) {
  let latest = statSync(dir).ctimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) latest = Math.max(latest, latestChangeMs(p));
    else if (e.name.endsWith('.ts')) latest = Math.max(latest, statSync(p).ctimeMs);
  }
  return latest;
}

/** The TypeScript modules under `dir` (declaration files excluded): what the build compiles. */
export function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Latest change time (ms) of everything the compiled tree is made from. */
export function sourcesChangedMs(root = REPO_ROOT) {
  return Math.max(...SOURCE_ROOTS.map((r) => latestChangeMs(join(root, r))), ...BUILD_FILES.map((f) => statSync(join(root, f)).ctimeMs));
}

/**
 * Whether the compiled tree under `root` may be used: it was built completely, and nothing it is
 * made from changed since the build began (less the clock margin). `HIL_FROM_SOURCE=1` always
 * answers no (to run the sources).
 */
export function compiledTreeFresh(root = REPO_ROOT, env = process.env) {
  if (env.HIL_FROM_SOURCE === '1') return false;
  let info;
  try {
    info = JSON.parse(readFileSync(join(root, BUILD_DIR, BUILD_INFO), 'utf8'));
  } catch {
    return false; // never built, or a build that did not finish
  }
  if (typeof info.sourcesReadFromMs !== 'number') return false;
  try {
    return sourcesChangedMs(root) < info.sourcesReadFromMs - CLOCK_MARGIN_MS;
  } catch {
    return false; // a source root or build file missing: not the tree that was built
  }
}
