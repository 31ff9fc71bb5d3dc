import { test } from 'vitest';
import { executeScenario } from './scenario-executor.js';
import type { ScenarioDefinition } from './scenario-definition.js';
import { inScenarioWorker, runEnvironment } from './run-environment.js';
import './worker-result.js';

export type { ScenarioDefinition } from './scenario-definition.js';
export type { ScenarioContext } from './scenario-context.js';

/** Slack beyond a scenario's own budget for teardown before vitest itself gives up. */
const TEARDOWN_SLACK_MS = 60_000;

/**
 * Declare a scenario. Scenario files `export default scenario({...})`. Under `hil run` (a vitest
 * worker with the run environment set) this also registers the vitest test that executes it;
 * anywhere else (hil list, the harness's own tests) it only returns the definition.
 */
export function scenario(def: ScenarioDefinition): ScenarioDefinition {
  if (inScenarioWorker()) {
    const env = runEnvironment();
    const timeout = def.budgetMs(env.target.profile) + TEARDOWN_SLACK_MS;
    test(def.id, { timeout }, async ({ task }) => {
      const result = await executeScenario(def, { target: env.target.profile, secrets: env.secrets, evidence: env.evidence });
      task.meta.hilResult = result;
      if (result.verdict !== 'PASS' && result.verdict !== 'NOT_APPLICABLE') {
        throw new Error(`${result.verdict}: ${result.reason}`);
      }
    });
  }
  return def;
}
