// Runs dependency-cruiser with the project's .dependency-cruiser.cjs over a throw-away source
// tree in a temp directory, so rule tests never write into the real tree.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(REPO, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
/** The roots `npm run lint` cruises. */
const LINT_ROOTS = ['harness', 'scenarios', 'reports', 'simulators', 'bin'];

/** An import planted in a tree: `from` imports `to` (both repository-relative .ts paths). */
export interface PlantedImport {
  from: string;
  to: string;
  /** `import type` instead of a value import. */
  typeOnly?: boolean;
  /** `to` is not written, so the import cannot be resolved. */
  absent?: boolean;
}

/** One reported rule violation, reduced to what the tests compare. */
export interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** The source of `from` for its imports, written as the real tree writes them (NodeNext: '.js'). */
function moduleSource(from: string, imports: PlantedImport[]): string {
  const lines = imports.map((imp, i) => {
    let spec = posix.relative(posix.dirname(from), imp.to).replace(/\.ts$/, '.js');
    if (!spec.startsWith('.')) spec = `./${spec}`;
    return imp.typeOnly
      ? `import type { Shape as Shape${i} } from '${spec}';\nexport type Uses${i} = Shape${i};`
      : `import { value as value${i} } from '${spec}';\nexport const uses${i} = value${i};`;
  });
  return [...lines, 'export const value = 1;', 'export interface Shape { v: number }', ''].join('\n');
}

/**
 * Writes every module named in `imports` (importers and imported) into a fresh temp directory
 * with the project's compiler options, cruises the lint roots with the project's config and
 * returns the violations. The directory is removed afterwards.
 */
export async function cruiseTree(imports: PlantedImport[]): Promise<Violation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hil-layer-rules-'));
  try {
    const files = new Set(imports.flatMap((imp) => (imp.absent ? [imp.from] : [imp.from, imp.to])));
    for (const file of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), moduleSource(file, imports.filter((imp) => imp.from === file)));
    }
    const { compilerOptions } = JSON.parse(readFileSync(join(REPO, 'tsconfig.json'), 'utf8'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, types: [] }, include: ['**/*.ts'] }));
    const roots = LINT_ROOTS.filter((root) => [...files].some((file) => file.startsWith(`${root}/`)));
    const stdout = await depcruise(dir, [...roots, '--config', CONFIG, '--output-type', 'json']);
    const result = JSON.parse(stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** depcruise exits with the number of errors, so a non-zero exit with JSON on stdout is a result. */
function depcruise(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [DEPCRUISE, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (stdout.trim().startsWith('{')) resolve(stdout);
      else reject(new Error(`depcruise failed: ${error?.message ?? ''}\n${stderr}`));
    });
  });
}
