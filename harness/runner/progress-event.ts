import type { ScenarioResult } from '../core/result-schema.js';

/** What the scenario host reports about one target's run, scenario by scenario, as it happens. */
export type ProgressEvent =
  | { event: 'start'; scenario: string }
  | { event: 'result'; scenario: string; verdict: string; reason: string; durationMs: number; result: ScenarioResult }
  | { event: 'crash'; scenario: string; message: string };
