import type { ScenarioContext } from './scenario-context.js';
import type { ScenarioDeclaration } from './scenario-declaration.js';

export type { ScenarioDeclaration } from './scenario-declaration.js';

/**
 * A scenario: its declaration (id, requirements, interfaces, state changes, budget) plus the body
 * the runner calls with a ScenarioContext. Applicability rules live in scenario-applicability.ts.
 */
export interface ScenarioDefinition extends ScenarioDeclaration {
  run: (ctx: ScenarioContext) => Promise<void>;
}
