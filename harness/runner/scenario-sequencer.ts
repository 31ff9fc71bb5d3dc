import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { scenarioFiles } from './run-environment.js';

/**
 * Runs scenario files in the order the parent handed them over (the catalog's order: credential
 * checks before lockout, whose probes count as failed logins; disruptive faults last).
 */
export default class ScenarioSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = scenarioFiles();
    const rank = (f: TestSpecification) => {
      const i = order.indexOf(f.moduleId);
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }

  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return super.shard(files);
  }
}
