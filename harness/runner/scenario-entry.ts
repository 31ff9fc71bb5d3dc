import type { ScenarioDefinition } from './scenario-definition.js';

/**
 * A scenario the runner is handed: its module file (which the scenario host imports and runs) and its imported
 * definition (which the parent budgets and reports on). The runner has no catalog of its own; the
 * caller (the CLI, from scenarios/catalog.ts) decides which scenarios exist and in which order.
 */
export interface ScenarioEntry {
  /** Absolute path of the scenario module. */
  file: string;
  def: ScenarioDefinition;
}
