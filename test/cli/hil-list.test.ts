import { describe, expect, test } from 'vitest';
import { loadCatalog } from '../../scenarios/catalog.js';
import { cliEnv, hil } from './cli-process.js';

/** A lab reads in `hil list` what a PASS of each scenario covers (issue 13). */
describe('hil list shows the checks each scenario makes', () => {
  test("a scenario's id is its file stem (hil run --scenario loads only that file)", async () => {
    for (const { name, def } of await loadCatalog()) expect(def.id).toBe(name);
    expect((await loadCatalog(['lockout'])).map((e) => e.def.id)).toEqual(['lockout']);
  });

  test('every scenario of the catalog declares its checks', async () => {
    for (const { def } of await loadCatalog()) expect(def.checks?.length ?? 0, `${def.id} declares no checks`).toBeGreaterThan(0);
  });

  test('--json carries them and the text listing prints them under each scenario', async () => {
    const json = await hil(['list', '--json'], cliEnv());
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { id: string; checks: string[] }[];
    const ua = rows.find((r) => r.id === 'unauthenticated-access')!;
    expect(ua.checks.some((c) => /maintenance port runs no command/.test(c))).toBe(true);
    const text = await hil(['list'], cliEnv());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^lockout {2}.*\n(?: {4}.*\n)*? {4}checks:\n(?: {6}- .*\n)+/m);
  }, 60_000);
});
