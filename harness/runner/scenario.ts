import type { ScenarioDefinition } from './scenario-definition.js';

export type { ScenarioDefinition } from './scenario-definition.js';
export type { ScenarioContext } from './scenario-context.js';

/**
 * Declare a scenario: scenario files `export default scenario({...})`. The definition is plain
 * data plus a body; the scenario host (harness/runner/scenario-host.ts) imports the file and
 * executes it, `hil list` and the harness's own tests only read it.
 */
export function scenario(def: ScenarioDefinition): ScenarioDefinition {
  return def;
}
