import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { SCENARIO_ORDER } from '../../scenarios/catalog.js';

/**
 * Runs scenario files in the catalog's order: credential checks before lockout (their probes
 * count as failed logins), disruptive faults last.
 */
export default class ScenarioSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SCENARIO_ORDER.findIndex((name) => f.moduleId.endsWith(`/${name}.scenario.ts`));
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }

  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return super.shard(files);
  }
}
