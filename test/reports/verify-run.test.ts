import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.js';
import { loadLabKey } from '../../reports/signing/lab-key.js';
import { writeSignedManifest } from '../../reports/signing/manifest.js';
import { renderRunDirectory } from '../../reports/runs/render-run.js';
import { listFilesRecursive } from '../../reports/runs/run-files.js';
import { verifyRunDirectory } from '../../reports/signing/verify-run.js';
import { buildFixtureRun } from './run-fixture.js';
import { tempRunDir, testEnv } from './external-tool.js';

/** Runs `hil verify` in-process and returns its exit code and stdout. */
async function hilVerify(...args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  try {
    const code = await main(['node', 'hil', 'verify', ...args]);
    return { code, out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('hil verify', () => {
  const dir = tempRunDir('verify');
  const env = testEnv();

  beforeAll(async () => {
    process.env.HIL_CONFIG_DIR = env.HIL_CONFIG_DIR;
    delete process.env.HIL_LAB_KEY;
    await buildFixtureRun(dir, { profile: 'hardened' });
    renderRunDirectory(dir, { env });
  });

  it('passes on a freshly rendered run directory (exit 0)', async () => {
    const r = await hilVerify(dir);
    expect(r.out).toMatch(/^OK /);
    expect(r.code).toBe(0);
  });

  it('fails, naming the file, when any byte of any file changes', () => {
    const files = listFilesRecursive(dir);
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const path = join(dir, f);
      const orig = readFileSync(path);
      // First, middle and last byte: headers, bodies and trailing newlines all count.
      for (const at of [0, Math.floor(orig.length / 2), orig.length - 1]) {
        const bad = Buffer.from(orig);
        bad[at] = bad[at]! ^ 0x01;
        writeFileSync(path, bad);
        const r = verifyRunDirectory(dir);
        expect(r.ok, `${f} byte ${at} flipped`).toBe(false);
        const named = r.problems[0]!.file;
        if (f === 'manifest.json') expect(['manifest.json', 'manifest.sig']).toContain(named);
        else expect(named, `${f} byte ${at}`).toBe(f);
      }
      writeFileSync(path, orig);
      expect(verifyRunDirectory(dir).ok, `${f} restored`).toBe(true);
    }
  });

  it('fails on an added or a removed file', async () => {
    writeFileSync(join(dir, 'extra.txt'), 'x');
    let r = await hilVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('extra.txt: not listed in manifest.json');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'extra.txt'));
    const summary = readFileSync(join(dir, 'summary.md'));
    rmSync(join(dir, 'summary.md'));
    r = await hilVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('summary.md: listed in manifest.json but missing');
    writeFileSync(join(dir, 'summary.md'), summary);
  });

  it('fails on an altered evidence line even when the manifest is re-signed with another key', async () => {
    const alt = tempRunDir('verify-alt');
    await buildFixtureRun(alt, { profile: 'hardened' });
    renderRunDirectory(alt, { env });
    const original = loadLabKey(undefined, env);
    const evPath = join(alt, 'evidence.jsonl');
    const lines = readFileSync(evPath, 'utf8').split('\n');
    const victim = lines.findIndex((l) => l.includes('Login incorrect') || l.includes('"dir":"verdict"'));
    lines[victim] = lines[victim]!.replace('"channel":"', '"channel":"x');
    writeFileSync(evPath, lines.join('\n'));
    // An attacker re-signs everything with a key of their own.
    const attackerKeyPath = join(tempRunDir('attacker'), 'k.pem');
    writeFileSync(attackerKeyPath, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeSignedManifest(alt, 'forged', loadLabKey(attackerKeyPath, {}));

    const r = await hilVerify(alt);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`evidence.jsonl line ${victim + 2}`); // the next line's prev no longer matches
    expect(r.out).toContain('prev does not match');

    const pub = join(tempRunDir('pub'), 'lab.pub.pem');
    writeFileSync(pub, original.publicKeyPem);
    const trusted = await hilVerify(alt, '--pubkey', pub);
    expect(trusted.code).toBe(1);
    expect(trusted.out).toMatch(/not by the trusted key/);
  });

  it('accepts the trusted lab key with --pubkey on an intact run', async () => {
    const pub = join(tempRunDir('pub2'), 'lab.pub.pem');
    writeFileSync(pub, loadLabKey(undefined, env).publicKeyPem);
    expect((await hilVerify(dir, '--pubkey', pub)).code).toBe(0);
  });

  it('exits 2 on bad usage', async () => {
    expect((await hilVerify(join(dir, 'does-not-exist'))).code).toBe(2);
  });
});
