// The compiled tree: every TypeScript source of the harness, transformed to JavaScript under
// <repo>/.build with the same layout, so `hil` starts without a TypeScript loader (tsx costs
// about half a second per process: the CLI, each scenario host, each worker thread).
// It is used only while it is fresh: a source or a source folder changed after the build began
// (an edit, a new or deleted file, a checkout) makes `hil` run the sources through tsx again.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this file belongs to. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Folder of the compiled tree, inside the repository (gitignored). */
export const BUILD_DIR = '.build';
/** Source folders compiled into the tree. */
export const SOURCE_ROOTS = ['harness', 'scenarios', 'reports', 'simulators'];
/** Written last by the build: when it began reading the sources. */
export const BUILD_INFO = 'build-info.json';

/** True when anything under `dir` (the folder itself included) changed at or after `sinceMs`. */
function changedSince(dir, sinceMs) {
  if (statSync(dir).mtimeMs >= sinceMs) return true;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() ? changedSince(p, sinceMs) : e.name.endsWith('.ts') && statSync(p).mtimeMs >= sinceMs) return true;
  }
  return false;
}

/**
 * Whether the compiled tree under `root` may be used: it was built completely, and no source
 * changed since the build began. `HIL_FROM_SOURCE=1` always answers no (to run the sources).
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
    return !SOURCE_ROOTS.some((r) => changedSince(join(root, r), info.sourcesReadFromMs));
  } catch {
    return false; // a source root missing: not the tree that was built
  }
}
