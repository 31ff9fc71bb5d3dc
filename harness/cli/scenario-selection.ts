import type { ScenarioEntry } from '../runner/scenario-entry.js';
import { catalogEntries, loadCatalog } from '../../scenarios/catalog.js';
import { UsageError } from './usage-error.js';

/** The library's scenarios named by `--scenario` (all of them when none is named), in catalog order. */
export async function selectScenarios(ids: readonly string[] = []): Promise<ScenarioEntry[]> {
  const known = new Set(catalogEntries().map((e) => e.name));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`unknown scenario id(s): ${unknown.join(', ')} (see hil list)`);
  const catalog = await loadCatalog(ids);
  return ids.length ? catalog.filter((c) => ids.includes(c.def.id)) : catalog;
}
