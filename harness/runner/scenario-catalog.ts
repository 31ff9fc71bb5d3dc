import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCENARIO_ORDER } from '../../scenarios/catalog.js';
import type { ScenarioDefinition } from './scenario-definition.js';

const scenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface CatalogEntry {
  /** File stem, e.g. "lockout". */
  name: string;
  file: string;
}

/** Scenario files of the standard library, in execution order. */
export function catalogEntries(): CatalogEntry[] {
  return SCENARIO_ORDER.map((name) => ({ name, file: `${scenariosDir}${name}.scenario.ts` })).filter((e) => existsSync(e.file));
}

/** Import every scenario definition (for `hil list` and for id → file mapping). */
export async function loadCatalog(): Promise<(CatalogEntry & { def: ScenarioDefinition })[]> {
  const out: (CatalogEntry & { def: ScenarioDefinition })[] = [];
  for (const e of catalogEntries()) {
    const mod = (await import(e.file)) as { default: ScenarioDefinition };
    out.push({ ...e, def: mod.default });
  }
  return out;
}
