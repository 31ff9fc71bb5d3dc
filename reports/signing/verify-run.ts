import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';
import { checkEvidenceChain } from './evidence-chain.js';
import { checkOrigins } from './evidence-origin.js';
import { publicKeyInfo } from './lab-key.js';
import { UNLISTED } from './manifest.js';
import { readSignedListing } from './signed-listing.js';
import { listFilesRecursive, RUN_FILES } from '../runs/run-files.js';
import { readEvidence } from '../runs/load-run.js';
import { outstandingInRun, type OutstandingRestoration } from '../runs/restore-logs.js';
import { sealsLog } from '../../harness/evidence/seal-record.js';
import { checkVerdictBinding } from './verdict-binding.js';
import type { TrustedKey } from './trust-store.js';

export interface VerifyProblem {
  /** Path relative to the verified directory. */
  file: string;
  /** Evidence line (1-based) and seq when the problem is a record. */
  line?: number;
  seq?: number;
  message: string;
}

export interface VerifyResult {
  /** Every check held and, when trusted keys were given, the signer is one of them. A partial run can be ok: see `partial`. */
  ok: boolean;
  problems: VerifyProblem[];
  /** What held, for the report printed by `hil verify`. */
  checked: { files: number; records: number; signer?: string; nested: string[]; trustedAs?: string; listing?: string };
  warnings: string[];
  /** The signature is valid, but by a key that is not among the trusted keys. */
  untrusted?: { fingerprint: string; trusted: string[] };
  /** The evidence has no seal: the run did not complete (killed, or the log was cut). */
  partial?: { endsAtSeq: number };
  /** Restorations the evidence announced that neither the run nor `hil restore` completed. */
  outstanding: OutstandingRestoration[];
}

export interface VerifyOptions {
  /** PEM of a public key the verifier trusts (added to `trusted`). */
  trustedPublicKeyPem?: string;
  /**
   * The keys the verifier trusts (reports/signing/trust-store.ts). Without any, only the signature's
   * validity under the key the manifest names is checked, which proves integrity, not origin.
   */
  trusted?: TrustedKey[];
}

/**
 * Checks a run directory: every digest in manifest.json (and no unlisted file), the Ed25519
 * signature over manifest.json, the hash chain of evidence.jsonl and report.json's pointer into
 * it. Directories below that hold their own manifest (sources of a merge, targets of a
 * multi-target merge) are verified the same way, each with the key recorded in its manifest.
 */
export function verifyRunDirectory(dir: string, opts: VerifyOptions = {}, prefix = ''): VerifyResult {
  const problems: VerifyProblem[] = [];
  const warnings: string[] = [];
  const checked: VerifyResult['checked'] = { files: 0, records: 0, nested: [] };
  const at = (p: string) => `${prefix}${p}`;
  let untrusted: VerifyResult['untrusted'];
  let partial: VerifyResult['partial'];
  let outstanding: OutstandingRestoration[] = [];
  const result = (): VerifyResult => ({
    ok: problems.length === 0 && !untrusted,
    problems,
    checked,
    warnings,
    ...(untrusted ? { untrusted } : {}),
    ...(partial ? { partial } : {}),
    outstanding,
  });
  const trusted = [...(opts.trusted ?? [])];
  if (opts.trustedPublicKeyPem) {
    const info = publicKeyInfo(createPublicKey(opts.trustedPublicKeyPem));
    trusted.push({ ...info, source: 'the given public key' });
  }
  const trustAsked = opts.trusted !== undefined || opts.trustedPublicKeyPem !== undefined;

  const { listing, problems: signing } = readSignedListing(dir);
  const evPath = join(dir, RUN_FILES.evidence);
  const chain = existsSync(evPath) ? checkEvidenceChain(evPath) : undefined;
  if (!listing) {
    problems.push(...signing.map((p) => ({ file: at(p.file), message: p.message })));
    return result();
  }

  // Whose manifest is this? A manifest of another run is named as such, before anything else.
  const seal = chain?.ok ? sealsLog(chain.last) : undefined;
  const runId = seal?.runId ?? reportRunId(dir) ?? chain?.last?.runId;
  if (runId !== undefined && listing.runId !== runId) problems.push({ file: at(RUN_FILES.manifest), message: `manifest of run ${listing.runId}, not of this run (${runId})` });

  // Signatures first (digests listed in something nobody signed mean nothing), then trust: the key a
  // manifest names proves nothing by itself, the checker's trusted keys decide.
  problems.push(...signing.map((p) => ({ file: at(p.file), message: p.message })));
  checked.listing = listing.source;
  for (const fp of listing.signers) {
    checked.signer ??= fp;
    const by = trusted.find((k) => k.fingerprint === fp);
    if (by) checked.trustedAs ??= by.source;
    else if (trustAsked) untrusted ??= { fingerprint: fp, trusted: trusted.map((k) => `${k.fingerprint.slice(0, 16)}… (${k.source})`) };
  }

  // Digests: every listed file present and unchanged, nothing unlisted.
  const listed = new Set<string>();
  for (const f of listing.files) {
    const bad = isAbsolute(f.path) || normalize(f.path).startsWith('..') || UNLISTED.has(f.path);
    if (bad) {
      problems.push({ file: at(RUN_FILES.manifest), message: `lists an invalid path ${JSON.stringify(f.path)}` });
      continue;
    }
    listed.add(f.path);
    const full = join(dir, f.path);
    if (!existsSync(full) || !statSync(full).isFile()) {
      problems.push({ file: at(f.path), message: 'listed in manifest.json but missing' });
      continue;
    }
    const body = readFileSync(full);
    if ((f.bytes !== undefined && body.length !== f.bytes) || sha256Hex(body) !== f.sha256)
      problems.push({ file: at(f.path), message: `SHA-256 differs from manifest.json (${body.length} bytes${f.bytes !== undefined ? `, ${f.bytes} listed` : ''})` });
    else checked.files++;
  }
  for (const p of listFilesRecursive(dir)) if (!UNLISTED.has(p) && !listed.has(p)) problems.push({ file: at(p), message: 'not listed in manifest.json' });

  // Evidence hash chain, its seal, report.json pointing at a line of it, and the verdicts it holds.
  if (chain) {
    checked.records += chain.records;
    if (chain.failure) problems.push({ file: at(RUN_FILES.evidence), line: chain.failure.line, ...(chain.failure.seq !== undefined ? { seq: chain.failure.seq } : {}), message: chain.failure.message });
    if (chain.tornTail) warnings.push(`${at(RUN_FILES.evidence)}: last line is incomplete (the run was killed while writing it)`);
    const origin = chain.ok ? checkOrigins(dir, evPath) : undefined;
    if (origin) problems.push({ file: at(RUN_FILES.evidence), ...origin });
    if (chain.ok && !seal) partial = { endsAtSeq: chain.last?.seq ?? -1 };
    if (chain.ok) {
      const ev = readEvidence(dir);
      for (const p of checkVerdictBinding(dir, ev.records, ev.lines)) problems.push({ file: at(p.file), message: p.message });
      outstanding = outstandingInRun(dir, ev.records);
    }
    const reportPath = join(dir, RUN_FILES.report);
    if (chain.ok && existsSync(reportPath)) {
      try {
        const report = ReportSchema.parse(JSON.parse(readFileSync(reportPath, 'utf8')));
        const { records, lastHash } = report.evidence;
        const actual = records === 0 ? undefined : chain.hashes[records - 1];
        if (records > 0 && actual !== lastHash) problems.push({ file: at(RUN_FILES.report), message: `evidence pointer (${records} records, last hash ${lastHash.slice(0, 12)}…) does not match evidence.jsonl` });
      } catch (e) {
        problems.push({ file: at(RUN_FILES.report), message: `unreadable: ${(e as Error).message.split('\n')[0]}` });
      }
    }
  }

  // Nested run directories carry their own manifests.
  for (const name of readdirSync(dir).sort()) nested(join(dir, name), `${prefix}${name}/`);
  function nested(sub: string, subPrefix: string): void {
    if (!statSync(sub).isDirectory()) return;
    if (existsSync(join(sub, RUN_FILES.manifest)) || existsSync(join(sub, RUN_FILES.attestation))) {
      const r = verifyRunDirectory(sub, trustAsked ? { trusted } : {}, subPrefix);
      problems.push(...r.problems);
      warnings.push(...r.warnings);
      // The enclosing manifest covers these files; a nested run's own state is worth a word, not a failure.
      if (r.partial) warnings.push(`${subPrefix}: partial run, ends at seq ${r.partial.endsAtSeq}`);
      if (r.untrusted) warnings.push(`${subPrefix}: signed by key ${r.untrusted.fingerprint}, which is not trusted here`);
      checked.records += r.checked.records;
      checked.nested.push(subPrefix.replace(/\/$/, ''), ...r.checked.nested);
      return;
    }
    // A copied source without a manifest (a killed shard) still has a chain to check.
    const ev = join(sub, RUN_FILES.evidence);
    if (existsSync(ev)) {
      const chain = checkEvidenceChain(ev);
      checked.records += chain.records;
      if (chain.failure) problems.push({ file: `${subPrefix}${RUN_FILES.evidence}`, line: chain.failure.line, ...(chain.failure.seq !== undefined ? { seq: chain.failure.seq } : {}), message: chain.failure.message });
    }
    for (const name of readdirSync(sub).sort()) nested(join(sub, name), `${subPrefix}${name}/`);
  }
  return result();
}

/** report.json's run id, if it has a readable one. */
function reportRunId(dir: string): string | undefined {
  try {
    const id = (JSON.parse(readFileSync(join(dir, RUN_FILES.report), 'utf8')) as { run?: { id?: unknown } }).run?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export function formatProblem(p: VerifyProblem): string {
  const where = p.line !== undefined ? `${p.file} line ${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ''}` : p.file;
  return `${where}: ${p.message}`;
}
