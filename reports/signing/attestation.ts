import { createPublicKey, sign, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Report } from '../../harness/core/result-schema.js';
import { publicKeyInfo, type LabKey } from './lab-key.js';
import type { Manifest } from './manifest.js';
import { RUN_FILES } from '../runs/run-files.js';

/**
 * The run as an in-toto attestation, for supply-chain tooling labs already use (in-toto, sigstore,
 * SLSA verifiers): a Statement v1 whose subjects are the run's files (the manifest's list, same
 * digests) and whose predicate is the run summary, in a DSSE envelope signed with the lab key,
 * one envelope per line (the `.intoto.jsonl` convention). `hil verify` accepts it alongside or
 * instead of manifest.json/manifest.sig.
 */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE = 'https://github.com/iot-gw-hil/hil/run-summary/v1';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const StatementSchema = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(z.object({ name: z.string(), digest: z.object({ sha256: Hex64 }) })),
  predicateType: z.literal(PREDICATE_TYPE),
  predicate: z.object({
    runId: z.string(),
    target: z.object({ name: z.string(), identity: z.record(z.string(), z.unknown()), profileDigest: z.string() }),
    harnessVersion: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    partial: z.boolean(),
    summary: z.record(z.string(), z.unknown()),
    verdicts: z.record(z.string(), z.string()),
    evidence: z.object({ records: z.number().int(), headHash: Hex64 }).optional(),
    /** The signing key, as manifest.json records it: whether to trust it is the checker's decision. */
    signer: z.object({ publicKeyPem: z.string(), fingerprint: Hex64 }),
  }),
});
export type Statement = z.infer<typeof StatementSchema>;

export const EnvelopeSchema = z.object({
  payloadType: z.literal(PAYLOAD_TYPE),
  payload: z.string(),
  signatures: z.array(z.object({ keyid: z.string(), sig: z.string() })).min(1),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** DSSE pre-authentication encoding: what is signed (never the bare payload). */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** Writes run.intoto.jsonl over the files the manifest lists; call right after writing the manifest. */
export function writeAttestation(dir: string, manifest: Manifest, report: Report, key: LabKey): Envelope {
  const statement: Statement = {
    _type: STATEMENT_TYPE,
    subject: manifest.files.map((f) => ({ name: f.path, digest: { sha256: f.sha256 } })),
    predicateType: PREDICATE_TYPE,
    predicate: {
      runId: manifest.runId,
      target: { name: report.target.name, identity: report.target.identity, profileDigest: report.target.profileDigest },
      harnessVersion: report.run.harnessVersion,
      startedAt: report.run.startedAt,
      ...(report.run.finishedAt ? { finishedAt: report.run.finishedAt } : {}),
      partial: report.run.partial ?? false,
      summary: report.summary,
      verdicts: Object.fromEntries(report.results.map((r) => [r.scenarioId, r.verdict])),
      ...(manifest.evidence ? { evidence: manifest.evidence } : {}),
      signer: { publicKeyPem: key.publicKeyPem, fingerprint: key.fingerprint },
    },
  };
  const payload = Buffer.from(JSON.stringify(statement));
  const envelope: Envelope = {
    payloadType: PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: [{ keyid: key.fingerprint, sig: sign(null, pae(PAYLOAD_TYPE, payload), key.privateKey).toString('base64') }],
  };
  writeFileSync(join(dir, RUN_FILES.attestation), `${JSON.stringify(envelope)}\n`);
  return envelope;
}

export interface AttestationCheck {
  statement?: Statement;
  /** Fingerprint of the key whose DSSE signature verifies. */
  signer?: string;
  problems: string[];
}

/** Reads and checks run.intoto.jsonl: envelope and statement shape, and a DSSE signature by the key the predicate names. */
export function checkAttestation(dir: string): AttestationCheck | undefined {
  const path = join(dir, RUN_FILES.attestation);
  if (!existsSync(path)) return undefined;
  let envelope: Envelope;
  let statement: Statement;
  let payload: Buffer;
  try {
    const text = readFileSync(path, 'utf8');
    const raw: unknown = JSON.parse(text.split('\n')[0]!);
    // Exactly as written, one envelope and a newline: no byte of the file can change unnoticed.
    if (text !== `${JSON.stringify(raw)}\n`) throw new Error('not one JSON envelope followed by a newline');
    envelope = EnvelopeSchema.parse(raw);
    payload = Buffer.from(envelope.payload, 'base64');
    statement = StatementSchema.parse(JSON.parse(payload.toString('utf8')));
  } catch (e) {
    return { problems: [`unreadable: ${(e as Error).message.split('\n')[0]}`] };
  }
  const { publicKeyPem, fingerprint } = statement.predicate.signer;
  let key;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    return { statement, problems: ['the signer key it names is not a valid PEM key'] };
  }
  if (publicKeyInfo(key).fingerprint !== fingerprint) return { statement, problems: ['the signer key it names does not match its fingerprint'] };
  const signed = envelope.signatures.find((s) => s.keyid === fingerprint);
  const ok = signed !== undefined && verify(null, pae(envelope.payloadType, payload), key, Buffer.from(signed.sig, 'base64'));
  return ok ? { statement, signer: fingerprint, problems: [] } : { statement, problems: ['DSSE signature does not verify'] };
}
