import type { Reporter, TestCase } from 'vitest/node';
import type { ScenarioResult } from '../core/result-schema.js';
import './worker-result.js';

/** Marker for progress lines the `hil run` parent parses from the worker's stdout. */
export const PROGRESS_PREFIX = '@@hil ';

export type ProgressEvent =
  | { event: 'start'; scenario: string }
  | { event: 'result'; scenario: string; verdict: string; reason: string; durationMs: number; result: ScenarioResult }
  | { event: 'crash'; scenario: string; message: string };

const emit = (e: ProgressEvent) => process.stdout.write(PROGRESS_PREFIX + JSON.stringify(e) + '\n');

/** Vitest reporter in the scenario child: one JSON line per scenario start and result (the whole result, in memory). */
export default class ProgressReporter implements Reporter {
  onTestCaseReady(tc: TestCase): void {
    emit({ event: 'start', scenario: tc.name });
  }

  onTestCaseResult(tc: TestCase): void {
    const r = tc.meta().hilResult;
    if (r) {
      emit({ event: 'result', scenario: tc.name, verdict: r.verdict, reason: r.reason, durationMs: r.durationMs, result: r });
    } else {
      const errors = tc.result().errors ?? [];
      emit({ event: 'crash', scenario: tc.name, message: errors.map((e) => e.message).join('; ') || 'no result reported' });
    }
  }

  onTestModuleCollected(): void {}
}
