import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';
import { RUN_ENV } from './run-environment.js';

/** Marker for progress lines the `hil run` parent parses from the worker's stdout. */
export const PROGRESS_PREFIX = '@@hil ';

export type ProgressEvent =
  | { event: 'start'; scenario: string }
  | { event: 'result'; scenario: string; verdict: string; reason: string; durationMs: number }
  | { event: 'crash'; scenario: string; message: string };

const emit = (e: ProgressEvent) => process.stdout.write(PROGRESS_PREFIX + JSON.stringify(e) + '\n');

/** Vitest reporter in the scenario child: one JSON line per scenario start and verdict. */
export default class ProgressReporter implements Reporter {
  onTestCaseReady(tc: TestCase): void {
    emit({ event: 'start', scenario: tc.name });
  }

  onTestCaseResult(tc: TestCase): void {
    const file = join(process.env[RUN_ENV.runDir] ?? '.', 'results', `${tc.name}.json`);
    if (existsSync(file)) {
      const r = JSON.parse(readFileSync(file, 'utf8')) as { verdict: string; reason: string; durationMs: number };
      emit({ event: 'result', scenario: tc.name, verdict: r.verdict, reason: r.reason, durationMs: r.durationMs });
    } else {
      const errors = tc.result().errors ?? [];
      emit({ event: 'crash', scenario: tc.name, message: errors.map((e) => e.message).join('; ') || 'no result written' });
    }
  }

  onTestModuleCollected(): void {}
}
