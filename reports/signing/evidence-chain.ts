import { readFileSync } from 'node:fs';
import { EvidenceRecordSchema, GENESIS, type EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';

export interface ChainResult {
  ok: boolean;
  /** Records whose place in the chain was checked. */
  records: number;
  /** Hash of each checked line, by line index (for report.json's pointer and merged-record origins). */
  hashes: string[];
  /** First break: 1-based line number, the record's seq when it parsed, and why. */
  failure?: { line: number; seq?: number; message: string };
  /** A last line without newline that does not parse: the run was killed mid-write. Not a break of the chain. */
  tornTail?: boolean;
  /** The last record that parsed and chained (what a seal, or a partial run's end, is read from). */
  last?: EvidenceRecord;
}

/** Walks evidence.jsonl: each line parses as a record, seq counts up by one, prev is the SHA-256 of the line before. */
export function checkEvidenceChain(path: string): ChainResult {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  let prev = GENESIS;
  let expectSeq: number | undefined;
  const hashes: string[] = [];
  let last: EvidenceRecord | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isTail = i === lines.length - 1 && !endsWithNewline;
    const fail = (message: string, seq?: number): ChainResult => ({ ok: false, records: i, hashes, failure: { line: i + 1, ...(seq !== undefined ? { seq } : {}), message } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (isTail) return { ok: true, records: i, hashes, tornTail: true, ...(last ? { last } : {}) };
      return fail('line is not JSON');
    }
    const rec = EvidenceRecordSchema.safeParse(parsed);
    if (!rec.success) return fail(`not an evidence record (${rec.error.issues[0]?.path.join('.')}: ${rec.error.issues[0]?.message})`);
    const { seq } = rec.data;
    if (expectSeq !== undefined && seq !== expectSeq) return fail(`seq ${seq} where ${expectSeq} was expected`, seq);
    if (rec.data.prev !== prev) return fail(i === 0 ? 'first record does not start the chain (prev is not GENESIS)' : `prev does not match the SHA-256 of line ${i}`, seq);
    prev = sha256Hex(line);
    hashes.push(prev);
    expectSeq = seq + 1;
    last = rec.data;
  }
  return { ok: true, records: lines.length, hashes, ...(last ? { last } : {}) };
}
