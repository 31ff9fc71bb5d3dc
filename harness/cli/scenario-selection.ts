import type { ScenarioEntry } from '../runner/scenario-entry.js';
import { loadCatalog } from '../../scenarios/catalog.js';
import { UsageError } from './usage-error.js';

/** The library's scenarios named by `--scenario` (all of them when none is named), in catalog order. */
export async function selectScenarios(ids: readonly string[] = []): Promise<ScenarioEntry[]> {
  const catalog = await loadCatalog();
  const unknown = ids.filter((id) => !catalog.some((c) => c.def.id === id));
  if (unknown.length) throw new UsageError(`unknown scenario id(s): ${unknown.join(', ')} (see hil list)`);
  return ids.length ? catalog.filter((c) => ids.includes(c.def.id)) : catalog;
}
