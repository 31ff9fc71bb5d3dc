import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { prepareTarget } from '../../harness/cli/prepared-target.js';
import { runTargets } from '../../harness/cli/run-targets.js';
import { ProfileError } from '../../harness/profile/profile-error.js';
import { TargetProfile } from '../../harness/profile/target-schema.js';
import { cliEnv, hil } from '../cli/cli-process.js';
import { BAD_CASES, caseYaml, CORPUS_ENV, goodProfile } from './bad-profile-corpus.js';
import YAML from 'yaml';

/**
 * A bad profile is refused before anything is sent: the message names the file, the field and what
 * was expected; no run directory is made; a listener standing where every address of the profile
 * points sees no connection at all.
 */
let server: Server;
let port = 0;
let connections = 0;
const dir = mkdtempSync(join(tmpdir(), 'hil-bad-profiles-'));
const env = { ...cliEnv(), ...CORPUS_ENV };

beforeAll(async () => {
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function write(name: string, text: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
}

describe('the corpus of bad profiles', () => {
  test('has at least 40 cases, and its good base is accepted (each refusal is the one change)', () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_CASES.map((c) => c.name)).size).toBe(BAD_CASES.length);
    const good = write('good', YAML.stringify(goodProfile(port)));
    expect(() => prepareTarget(good, env)).not.toThrow();
  });

  test.each(BAD_CASES.map((c) => [c.name, c] as const))('%s: refused by hil run naming file and field, no run directory, nothing sent', async (name, c) => {
    const f = write(name, caseYaml(c, port));
    const out = join(dir, `out-${name}`);
    const before = connections;
    const err = await runTargets([f], { out, parallel: 1, env }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the profile was accepted').toBeInstanceOf(ProfileError);
    const pe = err as ProfileError;
    expect(pe.message).toContain(f);
    const issue = pe.issues.find((i) => (i.path || '(root)') === c.field);
    expect(issue, `no issue at ${c.field}: ${pe.message}`).toBeDefined();
    expect(issue!.message).toMatch(c.says);
    expect(pe.message).toContain(`${c.field}: `);
    expect(existsSync(out)).toBe(false);
    expect(connections - before).toBe(0);
  });

  test('as a process: `hil run` exits 2, stderr names the file and the field, no run directory, no connection', async () => {
    const picks = ['proto-under-points', 'point-monitor-undefined', 'tcp-range-reversed', 'console-timeout-1e12'];
    for (const name of picks) {
      const c = BAD_CASES.find((x) => x.name === name)!;
      const f = write(`proc-${name}`, caseYaml(c, port));
      const out = join(dir, `proc-out-${name}`);
      const before = connections;
      const r = await hil(['run', '--target', f, '--out', out], env);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(f);
      expect(r.stderr).toContain(`${c.field}: `);
      expect(r.stderr).toMatch(c.says);
      expect(existsSync(out)).toBe(false);
      expect(connections - before).toBe(0);
    }
  }, 120_000);
});

describe('unknown keys are refused at every depth', () => {
  /** Every object schema reachable from the profile schema, with where it is. */
  function* objects(s: z.ZodType, path: string, seen = new Set<z.ZodType>()): Generator<[string, z.ZodObject]> {
    if (seen.has(s)) return;
    seen.add(s);
    const def = (s as unknown as { def: Record<string, any> }).def;
    if (s instanceof z.ZodObject) {
      yield [path, s];
      for (const [k, v] of Object.entries(s.shape)) yield* objects(v as z.ZodType, `${path}.${k}`, seen);
      return;
    }
    for (const k of ['innerType', 'schema', 'in', 'out', 'element', 'valueType', 'left', 'right']) if (def[k] instanceof z.ZodType) yield* objects(def[k], path, seen);
    for (const o of (def.options ?? []) as z.ZodType[]) yield* objects(o, path, seen);
  }

  test('every object of the profile schema is strict (the one catch-all, interfaces, checks extension keys itself)', () => {
    const loose: string[] = [];
    let n = 0;
    for (const [path, o] of objects(TargetProfile, 'profile')) {
      n++;
      const catchall = (o.def as { catchall?: z.ZodType }).catchall;
      const strict = catchall instanceof z.ZodNever;
      if (!strict && path !== 'profile.interfaces') loose.push(path);
    }
    expect(n).toBeGreaterThan(30);
    expect(loose).toEqual([]);
  });
});
