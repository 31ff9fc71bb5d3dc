import { createPublicKey, sign, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';
import { GENESIS } from '../../harness/evidence/evidence-record.js';
import type { LabKey } from './lab-key.js';
import { listFilesRecursive, RUN_FILES } from '../runs/run-files.js';

/**
 * manifest.json lists the SHA-256 of every file of the run directory (recursively, attachments
 * included) except itself and its signature. manifest.sig is the raw 64-byte Ed25519 signature
 * over manifest.json's exact bytes; raw rather than base64 so that no byte of it can change
 * without breaking the signature (base64 decoders skip stray characters).
 */
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const ManifestSchema = z.object({
  schemaVersion: z.literal(1),
  runId: z.string(),
  createdAt: z.string(),
  hashAlgorithm: z.literal('sha256'),
  /** The evidence chain this manifest closes: its record count and the hash of its last line (absent in manifests written before). */
  evidence: z.object({ records: z.number().int().nonnegative(), headHash: Hex64 }).optional(),
  files: z.array(z.object({ path: z.string(), sha256: Hex64, bytes: z.number().int().nonnegative() })),
  signature: z.object({
    algorithm: z.literal('Ed25519'),
    file: z.literal(RUN_FILES.signature),
    publicKeyPem: z.string(),
    publicKeyFingerprint: Hex64,
  }),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Written last, over the listed files: never listed themselves. */
export const UNLISTED = new Set<string>([RUN_FILES.manifest, RUN_FILES.signature, RUN_FILES.attestation]);

/** Count and last-line hash of the directory's evidence.jsonl (complete lines only), if it has one. */
export function evidenceHead(dir: string): { records: number; headHash: string } | undefined {
  const path = join(dir, RUN_FILES.evidence);
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // after the last newline: empty, or a line torn by a kill
  return { records: lines.length, headHash: lines.length ? sha256Hex(lines[lines.length - 1]!) : GENESIS };
}

export function buildManifest(dir: string, runId: string, key: Pick<LabKey, 'publicKeyPem' | 'fingerprint'>, now = new Date()): Manifest {
  const files = listFilesRecursive(dir)
    .filter((p) => !UNLISTED.has(p))
    .map((path) => {
      const body = readFileSync(join(dir, path));
      return { path, sha256: sha256Hex(body), bytes: body.length };
    });
  const evidence = evidenceHead(dir);
  return {
    schemaVersion: 1,
    runId,
    createdAt: now.toISOString(),
    hashAlgorithm: 'sha256',
    ...(evidence ? { evidence } : {}),
    files,
    signature: { algorithm: 'Ed25519', file: RUN_FILES.signature, publicKeyPem: key.publicKeyPem, publicKeyFingerprint: key.fingerprint },
  };
}

/** Writes manifest.json and manifest.sig; must run after every other file of the directory is final. */
export function writeSignedManifest(dir: string, runId: string, key: LabKey): Manifest {
  const manifest = buildManifest(dir, runId, key);
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, RUN_FILES.manifest), bytes);
  writeFileSync(join(dir, RUN_FILES.signature), sign(null, bytes, key.privateKey));
  return manifest;
}

export function verifySignature(manifestBytes: Buffer, signature: Buffer, publicKeyPem: string): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, manifestBytes, createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}
