import type { ScenarioResult } from '../core/result-schema.js';

/**
 * How a scenario's result travels from the vitest worker to the reporter, and from there on the
 * progress stream to the parent: in the test's metadata, in memory. The durable copy is the
 * verdict record the executor appends to evidence.jsonl; nothing else is written to disk.
 */
declare module 'vitest' {
  interface TaskMeta {
    hilResult?: ScenarioResult;
  }
}

export {};
