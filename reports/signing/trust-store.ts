import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { defaultKeyPath, publicKeyInfo } from './lab-key.js';

/**
 * The public keys `hil verify` accepts a signature from. A signature is only as good as the
 * checker's reason to trust the key: the key a manifest names proves nothing by itself (anyone can
 * re-sign a run with a key of their own). Sources, all combined: `--pubkey FILE` (repeatable),
 * the trust directory (`$HIL_CONFIG_DIR/trusted/`, default ~/.config/hil/trusted/, every *.pem),
 * `$HIL_TRUSTED_KEYS` (files or directories, separated like PATH), and the lab's own key.
 */
export interface TrustedKey {
  fingerprint: string;
  publicKeyPem: string;
  /** Where it came from, for the message that names it. */
  source: string;
}

export class TrustStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustStoreError';
  }
}

export function trustDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HIL_CONFIG_DIR ?? join(homedir(), '.config', 'hil'), 'trusted');
}

/** A PEM public key (or a private key, whose public half is taken) from a file; a file that holds neither is an error. */
function keyFrom(path: string, source: string): TrustedKey {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TrustStoreError(`${path}: cannot read the key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${key.asymmetricKeyType} key, expected ed25519`);
    const info = publicKeyInfo(key);
    return { fingerprint: info.fingerprint, publicKeyPem: info.publicKeyPem, source };
  } catch (e) {
    throw new TrustStoreError(`${path}: not a PEM Ed25519 public key (${(e as Error).message})`);
  }
}

function keysIn(path: string, source: string): TrustedKey[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [keyFrom(path, `${source} ${path}`)];
  return readdirSync(path)
    .filter((n) => n.endsWith('.pem'))
    .sort()
    .map((n) => keyFrom(join(path, n), `${source} ${join(path, n)}`));
}

export interface TrustOptions {
  /** `--pubkey` files: each must exist and hold a key. */
  pubkeys?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Every trusted key, without duplicates (the first source that names a key is the one reported). */
export function loadTrustedKeys(opts: TrustOptions = {}): TrustedKey[] {
  const env = opts.env ?? process.env;
  const all: TrustedKey[] = [];
  for (const p of opts.pubkeys ?? []) {
    if (!existsSync(p)) throw new TrustStoreError(`${p}: no such file`);
    all.push(keyFrom(p, `--pubkey ${p}`));
  }
  all.push(...keysIn(trustDirectory(env), 'trust directory'));
  for (const p of (env.HIL_TRUSTED_KEYS ?? '').split(delimiter).filter(Boolean)) all.push(...keysIn(p, 'HIL_TRUSTED_KEYS'));
  // The lab's own key (never generated here: verifying must not create a key).
  const lab = env.HIL_LAB_KEY ?? defaultKeyPath(env);
  if (existsSync(lab)) {
    try {
      all.push(keyFrom(lab, `lab key ${lab}`));
    } catch {
      // an unreadable lab key is `hil run`'s problem; it simply trusts nothing here
    }
  }
  const seen = new Set<string>();
  return all.filter((k) => !seen.has(k.fingerprint) && seen.add(k.fingerprint));
}
