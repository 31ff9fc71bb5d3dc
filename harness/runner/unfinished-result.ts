import type { ScenarioResult } from '../core/result-schema.js';
import type { ScenarioDefinition } from './scenario-definition.js';
import type { JobExit } from './scenario-host-pool.js';

/**
 * The result of a scenario the host reported none for: ERROR when it started (the host died, or
 * the run deadline or a cancel stopped it), NOT_RUN when it was never reached.
 */
export function unfinishedResult(def: ScenarioDefinition, started: boolean, exit: JobExit, startedAt: string): ScenarioResult {
  const why =
    exit.ended === 'deadline'
      ? 'the run deadline was reached; the scenario host was stopped'
      : exit.ended === 'cancelled'
        ? 'the run was cancelled'
        : exit.ended === 'host-died'
          ? `the scenario host died (exit ${exit.hostExit ?? 'unknown'})`
          : 'the scenario host reported no result';
  const reason = started ? `the scenario did not finish: ${why}` : `the scenario was not reached: ${why}`;
  return {
    scenarioId: def.id,
    title: def.title,
    verdict: started ? 'ERROR' : 'NOT_RUN',
    requirements: def.requirements,
    measurements: [],
    assertions: [],
    reason,
    durationMs: 0,
    startedAt,
    interfaces: [],
    changesState: def.changesState,
  };
}
