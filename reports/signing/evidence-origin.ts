import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { z } from 'zod';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';

/** attrs.origin of a merged record: the source line it copies. */
const Origin = z.object({ file: z.string(), seq: z.number().int(), sha256: z.string() });

/**
 * Checks that each merged record's origin names a line that exists, unchanged, in the copied
 * source evidence, so the merged chain cannot hold records the sources never had.
 * Returns the first mismatch as { line, seq, message }.
 */
export function checkOrigins(dir: string, evidencePath: string): { line: number; seq: number; message: string } | undefined {
  const cache = new Map<string, Map<number, string> | null>();
  const linesOf = (file: string): Map<number, string> | null => {
    if (cache.has(file)) return cache.get(file)!;
    const full = join(dir, file);
    let m: Map<number, string> | null = null;
    if (!isAbsolute(file) && !normalize(file).startsWith('..') && existsSync(full)) {
      m = new Map();
      for (const l of readFileSync(full, 'utf8').split('\n')) {
        if (!l) continue;
        try {
          m.set((JSON.parse(l) as { seq: number }).seq, sha256Hex(l));
        } catch {
          // a torn tail is reported by the chain check of that file
        }
      }
    }
    cache.set(file, m);
    return m;
  };
  const lines = readFileSync(evidencePath, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]) continue;
    let rec: { seq: number; attrs?: { origin?: unknown } };
    try {
      rec = JSON.parse(lines[i]!);
    } catch {
      continue;
    }
    if (rec.attrs?.origin === undefined) continue;
    const o = Origin.safeParse(rec.attrs.origin);
    if (!o.success) return { line: i + 1, seq: rec.seq, message: 'attrs.origin is malformed' };
    const src = linesOf(o.data.file);
    if (!src) return { line: i + 1, seq: rec.seq, message: `origin file ${o.data.file} is missing` };
    if (src.get(o.data.seq) !== o.data.sha256) return { line: i + 1, seq: rec.seq, message: `does not match its origin ${o.data.file} seq ${o.data.seq}` };
  }
  return undefined;
}
