import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { MissingSecretError, ProfileError } from '../../harness/profile/profile-error.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';

const targets = join(import.meta.dirname, '../../targets');
const env = { HIL_SIM_ADMIN_PASSWORD: 'A-very-Secret#1', HIL_SIM_OPERATOR_PASSWORD: 'Op-very-Secret#2' };

function withText(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hil-profile-'));
  const f = join(dir, 'target.yaml');
  writeFileSync(f, text);
  return f;
}

describe('target profiles', () => {
  test.each(['sim-hardened.yaml', 'sim-weak.yaml', 'real-gateway.template.yaml'])('shipped profile %s validates', (name) => {
    const t = loadTargetFile(join(targets, name), { ...env, HIL_GW_ADMIN_PASSWORD: 'x', HIL_GW_USER_PASSWORD: 'y' });
    expect(t.profile.name).toBeTruthy();
    expect(t.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a typo in a field name is named with its path', () => {
    const text = readFileSync(join(targets, 'sim-hardened.yaml'), 'utf8').replace('    threshold: 3', '    treshold: 3');
    const f = withText(text);
    expect(() => loadTargetFile(f, env)).toThrow(ProfileError);
    try {
      loadTargetFile(f, env);
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain(f);
      expect(msg).toContain('policy.lockout');
      expect(msg).toContain('"treshold"');
    }
  });

  test('a wrong type names the field and what was expected', () => {
    const f = withText(readFileSync(join(targets, 'sim-hardened.yaml'), 'utf8').replace('durationMs: 4000', 'durationMs: four'));
    expect(() => loadTargetFile(f, env)).toThrow(/policy\.lockout\.durationMs: .*number/i);
  });

  test('invalid YAML is reported with the file name', () => {
    const f = withText('name: [unclosed\n');
    expect(() => loadTargetFile(f, env)).toThrow(/not valid YAML/);
  });

  test('a missing secret variable is named', () => {
    const t = loadTargetFile(join(targets, 'sim-hardened.yaml'), env);
    expect(() => resolveSecrets(t.profile, { HIL_SIM_ADMIN_PASSWORD: 'x' })).toThrow(MissingSecretError);
    expect(() => resolveSecrets(t.profile, { HIL_SIM_ADMIN_PASSWORD: 'x' })).toThrow(/HIL_SIM_OPERATOR_PASSWORD/);
  });

  test('a password written literally in the profile is refused', () => {
    const f = withText(readFileSync(join(targets, 'sim-hardened.yaml'), 'utf8').replace('password: { env: HIL_SIM_ADMIN_PASSWORD }', 'password: hunter2'));
    // The simulator profiles declare accounts per interface (issue 12): the first account is the console admin.
    expect(() => loadTargetFile(f, env)).toThrow(/(credentials\.admin|accounts\.0)\.password/);
  });
});

describe('interfaces switched off per bench', () => {
  test('enabled: false (from the environment) removes the interface before validation', () => {
    const t = loadTargetFile(join(targets, 'sim-hardened.yaml'), { ...env, HIL_SIM_OPCUA_ENABLED: 'false', HIL_SIM_RTU_ENABLED: 'false' });
    expect(t.profile.interfaces.opcua).toBeUndefined();
    expect(t.profile.interfaces.modbus?.rtu).toBeUndefined();
    expect(t.profile.interfaces.modbus?.tcp).toBeDefined();
  });

  test('enabled must be true or false', () => {
    expect(() => loadTargetFile(join(targets, 'sim-hardened.yaml'), { ...env, HIL_SIM_OPCUA_ENABLED: 'maybe' })).toThrow(/enabled: expected true or false/);
  });
});
