import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';

/** The lab's Ed25519 signing key. Only the public half ever goes into a run directory. */
export interface LabKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  /** SHA-256 of the public key's SPKI DER, hex: what a certifier compares out of band. */
  fingerprint: string;
  path: string;
  generated: boolean;
}

export class LabKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabKeyError';
  }
}

/** Default location; HIL_CONFIG_DIR overrides ~/.config/hil (tests and CI must not touch a home directory). */
export function defaultKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HIL_CONFIG_DIR ?? join(homedir(), '.config', 'hil'), 'lab-key.pem');
}

export function publicKeyInfo(publicKey: KeyObject): { publicKeyPem: string; fingerprint: string } {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: sha256Hex(der) };
}

/**
 * Key from `keyPath`, else from the path in HIL_LAB_KEY, else the default path, generated there
 * on first use (0600). An explicitly named key that does not exist is an error, not a new key:
 * a typo must not silently sign with a key nobody trusts.
 */
export function loadLabKey(keyPath?: string, env: NodeJS.ProcessEnv = process.env): LabKey {
  const explicit = keyPath ?? env.HIL_LAB_KEY;
  const path = explicit ?? defaultKeyPath(env);
  let generated = false;
  if (!existsSync(path)) {
    if (explicit) throw new LabKeyError(`lab key ${path} does not exist`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    generated = true;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new LabKeyError(`lab key ${path} is not a PEM private key: ${(e as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new LabKeyError(`lab key ${path} is ${privateKey.asymmetricKeyType}, expected ed25519`);
  return { privateKey, ...publicKeyInfo(createPublicKey(privateKey)), path, generated };
}
