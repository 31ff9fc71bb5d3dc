import type { ScenarioResult } from '../core/result-schema.js';
import type { ScenarioDefinition } from './scenario-definition.js';
import type { WorkerExit } from './scenario-worker.js';

/**
 * The result of a scenario the worker reported none for: ERROR when it started (crashed, stopped
 * by the run deadline or a cancel), NOT_RUN when it was never reached.
 */
export function unfinishedResult(def: ScenarioDefinition, started: boolean, exit: WorkerExit, startedAt: string): ScenarioResult {
  const reason = started
    ? exit.killedByDeadline
      ? 'the scenario did not finish within the run deadline; the worker was stopped'
      : `the scenario did not finish (worker exit ${exit.code ?? exit.signal})`
    : `the scenario was not reached (worker exit ${exit.code ?? exit.signal})`;
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
