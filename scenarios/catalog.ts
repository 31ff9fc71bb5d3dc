import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { moduleExt } from '../harness/core/module-tree.js';
import type { ScenarioDefinition } from '../harness/runner/scenario-definition.js';

/**
 * The standard scenario library, in execution order (file stem without `.scenario.ts`).
 * Credential checks run before lockout, whose probes count as failed logins; state-disturbing
 * faults run last. Files not present yet are skipped.
 */
export const SCENARIO_ORDER: readonly string[] = [
  'default-credentials',
  'unauthenticated-access',
  'secure-channel',
  'privilege-separation',
  'port-closure',
  'range-check',
  'idle-session-timeout',
  'lockout',
  'safe-state-master-loss',
  'link-loss',
  'broker-outage',
  'malformed-input',
  'request-storm',
];

export interface CatalogEntry {
  /** File stem, e.g. "lockout". */
  name: string;
  /** Absolute path of the scenario module. */
  file: string;
}

const scenariosDir = fileURLToPath(new URL('./', import.meta.url));

/** Scenario files of the standard library, in execution order. */
export function catalogEntries(): CatalogEntry[] {
  return SCENARIO_ORDER.map((name) => ({ name, file: `${scenariosDir}${name}.scenario${moduleExt}` })).filter((e) => existsSync(e.file));
}

/**
 * Every scenario definition of the library, in execution order (for `hil list`, `hil run` and
 * tests); with `only`, just those (a scenario's id is its file stem, which the catalog test holds),
 * so `hil run --scenario x` loads one scenario module, not the library.
 */
export async function loadCatalog(only?: readonly string[]): Promise<(CatalogEntry & { def: ScenarioDefinition })[]> {
  const out: (CatalogEntry & { def: ScenarioDefinition })[] = [];
  for (const e of catalogEntries()) {
    if (only?.length && !only.includes(e.name)) continue;
    const mod = (await import(e.file)) as { default: ScenarioDefinition };
    out.push({ ...e, def: mod.default });
  }
  return out;
}
