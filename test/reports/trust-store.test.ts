import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabKey } from '../../reports/signing/lab-key.js';
import { loadTrustedKeys, trustDirectory, TrustStoreError } from '../../reports/signing/trust-store.js';
import { tempRunDir } from './external-tool.js';

const pubPem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('trusted keys of hil verify', () => {
  it('combines --pubkey, the trust directory under HIL_CONFIG_DIR, HIL_TRUSTED_KEYS and the lab key, each once', () => {
    const cfg = tempRunDir('trust-cfg');
    const env = { HIL_CONFIG_DIR: cfg } as NodeJS.ProcessEnv;
    expect(trustDirectory(env)).toBe(join(cfg, 'trusted'));
    const lab = loadLabKey(undefined, env); // generated in cfg
    mkdirSync(join(cfg, 'trusted'));
    writeFileSync(join(cfg, 'trusted', 'acme.pem'), pubPem());
    writeFileSync(join(cfg, 'trusted', 'README.txt'), 'not a key, not a .pem: ignored');
    const extra = tempRunDir('trust-extra');
    writeFileSync(join(extra, 'a.pem'), pubPem());
    const single = join(tempRunDir('trust-single'), 'b.pub');
    writeFileSync(single, pubPem());
    const flag = join(tempRunDir('trust-flag'), 'c.pem');
    writeFileSync(flag, lab.publicKeyPem); // the lab key again: listed once, as --pubkey
    const keys = loadTrustedKeys({ pubkeys: [flag], env: { ...env, HIL_TRUSTED_KEYS: `${extra}:${single}` } });
    expect(keys.map((k) => k.source.split(' ')[0])).toEqual(['--pubkey', 'trust', 'HIL_TRUSTED_KEYS', 'HIL_TRUSTED_KEYS']);
    expect(keys[0]!.fingerprint).toBe(lab.fingerprint);
    expect(new Set(keys.map((k) => k.fingerprint)).size).toBe(4);
  });

  it('trusts the lab key alone by default, and never creates one', () => {
    const cfg = tempRunDir('trust-none');
    expect(loadTrustedKeys({ env: { HIL_CONFIG_DIR: cfg } })).toEqual([]);
    const lab = loadLabKey(undefined, { HIL_CONFIG_DIR: cfg });
    expect(loadTrustedKeys({ env: { HIL_CONFIG_DIR: cfg } }).map((k) => k.fingerprint)).toEqual([lab.fingerprint]);
  });

  it('refuses a --pubkey that is missing or not an Ed25519 key, naming the file', () => {
    const env = { HIL_CONFIG_DIR: tempRunDir('trust-bad') } as NodeJS.ProcessEnv;
    expect(() => loadTrustedKeys({ pubkeys: ['/nonexistent/key.pem'], env })).toThrow(/\/nonexistent\/key\.pem: no such file/);
    const junk = join(tempRunDir('trust-junk'), 'junk.pem');
    writeFileSync(junk, 'hello');
    expect(() => loadTrustedKeys({ pubkeys: [junk], env })).toThrow(TrustStoreError);
    const rsa = join(tempRunDir('trust-rsa'), 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => loadTrustedKeys({ pubkeys: [rsa], env })).toThrow(/rsa\.pem: not a PEM Ed25519 public key \(rsa key/);
  });
});
