/**
 * Which tree this harness's modules run from: the TypeScript sources (through tsx, or vitest), or
 * the compiled tree `<repo>/.build` (bin/compiled-tree.js), which has the same layout with `.js`
 * files. Paths to the repository's files, to sibling modules and to worker entry modules are
 * derived here so that both trees find the same things.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** True when running from the compiled tree (this module is JavaScript). */
export const compiledTree = import.meta.url.endsWith('.js');
/** Extension of the harness's modules as they run: `.js` compiled, `.ts` from source. */
export const moduleExt = compiledTree ? '.js' : '.ts';
/** The repository root: two levels above this module, one more in the compiled tree. */
export const repoRoot = fileURLToPath(new URL(compiledTree ? '../../../' : '../../', import.meta.url));
/** The tree that runs, for the run's provenance: the compiled tree's own folder (its build id), or the sources. */
export const runningTree = compiledTree ? `compiled (${basename(fileURLToPath(new URL('../../', import.meta.url)))})` : 'sources (tsx)';

/** The file URL of module `stem` (no extension) in the folder of the module at `url`, in the tree that runs. */
export function siblingModuleUrl(url: string, stem: string): string {
  return new URL(`./${stem}${moduleExt}`, url).href;
}

/**
 * Source of a worker thread (`new Worker(source, { eval: true })`) that loads the module at
 * `moduleUrl`. Loader hooks of this thread (tsx, vitest) do not reach a worker: from the sources,
 * the worker imports it through tsx's API itself; from the compiled tree it imports it directly.
 */
export function workerEntrySource(moduleUrl: string): string {
  if (compiledTree) return `import(${JSON.stringify(moduleUrl)});`;
  // The ESM entry of tsx's API, as its package.json declares it (require.resolve would give the CJS one).
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const tsxApi = pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
  return `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${JSON.stringify(moduleUrl)}, ${JSON.stringify(import.meta.url)}));`;
}
