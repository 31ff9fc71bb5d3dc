import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../runs/run-files.js';
import { checkAttestation } from './attestation.js';
import { publicKeyInfo } from './lab-key.js';
import { ManifestSchema, verifySignature } from './manifest.js';

/**
 * What a run directory's signatures vouch for: the run id and the digest of every file, from
 * manifest.json (+ manifest.sig) or the in-toto attestation (run.intoto.jsonl), or both (then they
 * must agree). `signers` are the fingerprints whose signatures verify under the key each names;
 * whether anyone trusts those keys is the verifier's question.
 */
export interface SignedListing {
  runId: string;
  files: { path: string; sha256: string; bytes?: number }[];
  signers: string[];
  /** Which signed files it came from, for the verifier's message. */
  source: string;
}

export interface ListingProblem {
  file: string;
  message: string;
}

export function readSignedListing(dir: string): { listing?: SignedListing; problems: ListingProblem[] } {
  const problems: ListingProblem[] = [];
  const manifestPath = join(dir, RUN_FILES.manifest);
  const att = checkAttestation(dir);
  for (const m of att?.problems ?? []) problems.push({ file: RUN_FILES.attestation, message: m });
  const attSigners = att?.signer ? [att.signer] : [];

  if (!existsSync(manifestPath)) {
    if (!att) return { problems: [{ file: RUN_FILES.manifest, message: 'missing' }] };
    if (!att.statement) return { problems };
    const s = att.statement;
    return { listing: { runId: s.predicate.runId, files: s.subject.map((x) => ({ path: x.name, sha256: x.digest.sha256 })), signers: attSigners, source: RUN_FILES.attestation }, problems };
  }

  const manifestBytes = readFileSync(manifestPath);
  let manifest;
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(manifestBytes.toString('utf8')));
    if (!parsed.success) throw new Error(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    manifest = parsed.data;
  } catch (e) {
    return { problems: [{ file: RUN_FILES.manifest, message: `unreadable: ${(e as Error).message}` }, ...problems] };
  }
  const signers: string[] = [];
  const mp: ListingProblem[] = [];
  const sigPath = join(dir, RUN_FILES.signature);
  const recorded = manifest.signature;
  if (!existsSync(sigPath)) mp.push({ file: RUN_FILES.signature, message: 'missing' });
  else {
    let recordedFp: string | undefined;
    try {
      recordedFp = publicKeyInfo(createPublicKey(recorded.publicKeyPem)).fingerprint;
    } catch {
      mp.push({ file: RUN_FILES.manifest, message: 'recorded public key is not a valid PEM key' });
    }
    if (recordedFp && recordedFp !== recorded.publicKeyFingerprint) mp.push({ file: RUN_FILES.manifest, message: 'recorded public key does not match its fingerprint' });
    if (!verifySignature(manifestBytes, readFileSync(sigPath), recorded.publicKeyPem)) mp.push({ file: RUN_FILES.signature, message: 'Ed25519 signature over manifest.json does not verify' });
    else if (recordedFp) signers.push(recordedFp);
  }
  if (att?.statement) {
    const listed = (xs: { p: string; h: string }[]) => xs.map((x) => `${x.p} ${x.h}`).join('\n');
    const same =
      att.statement.predicate.runId === manifest.runId &&
      listed(att.statement.subject.map((x) => ({ p: x.name, h: x.digest.sha256 }))) === listed(manifest.files.map((f) => ({ p: f.path, h: f.sha256 })));
    if (!same) mp.push({ file: RUN_FILES.attestation, message: 'its run id or subjects differ from manifest.json (stale or of another run)' });
  }
  for (const fp of attSigners) if (!signers.includes(fp)) signers.push(fp);
  const source = att ? `${RUN_FILES.manifest} and ${RUN_FILES.attestation}` : RUN_FILES.manifest;
  return { listing: { runId: manifest.runId, files: manifest.files, signers, source }, problems: [...mp, ...problems] };
}
