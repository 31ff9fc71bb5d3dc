import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadTargetFile, parsedTextToShare } from '../../harness/profile/load-target.js';

const SIM = join(import.meta.dirname, '../../targets/sim-hardened.yaml');
const env = { ...process.env, HIL_SIM_ADMIN_PASSWORD: 'x-Admin-Pass#1', HIL_SIM_OPERATOR_PASSWORD: 'x-Oper-Pass#1' };

describe('a profile text parsed by another process (the CLI, for its scenario host)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hil-parsed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is reused for a file with the same digest (validation still runs), and ignored for any other text', () => {
    const file = join(dir, 'target.yaml');
    copyFileSync(SIM, file);
    const first = loadTargetFile(file, env);
    expect(first.document).toEqual(YAML.parse(readFileSync(SIM, 'utf8')));
    // A document that differs from the text, given under the text's digest, is what comes back: reused, not re-parsed.
    const renamed = { ...(first.document as Record<string, unknown>), name: 'from-the-parent' };
    expect(loadTargetFile(file, env, { digest: first.digest, document: renamed }).profile.name).toBe('from-the-parent');
    // Still validated: a reused document with a bad field is refused, naming the file.
    expect(() => loadTargetFile(file, env, { digest: first.digest, document: { ...renamed, policy: 'none' } })).toThrow(file);
    // The file changed after the parent parsed it: its own text wins.
    writeFileSync(file, readFileSync(SIM, 'utf8').replace(/^name:.*$/m, 'name: edited-after'));
    expect(loadTargetFile(file, env, { digest: first.digest, document: renamed }).profile.name).toBe('edited-after');
  });

  it('is handed over the JSON channel only when JSON keeps it unchanged (not with .inf, .nan or -0 in it)', () => {
    const file = join(dir, 'share.yaml');
    copyFileSync(SIM, file);
    const t = loadTargetFile(file, env);
    expect(parsedTextToShare(t)).toEqual({ digest: t.digest, document: t.document });
    for (const odd of [Number.POSITIVE_INFINITY, Number.NaN, -0]) {
      const doc = { ...(t.document as Record<string, unknown>), extra: { nested: [1, odd] } };
      expect(parsedTextToShare({ ...t, document: doc })).toBeUndefined();
    }
  });
});
