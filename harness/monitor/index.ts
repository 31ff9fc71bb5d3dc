/** The safe-state monitor: sampler, window model, invariant evaluators and the summary verdict. */
export * from './sample.js';
export * from './sampler.js';
export * from './sample-batcher.js';
export * from './windows.js';
export * from './stats.js';
export * from './config-digest.js';
export * from './invariants/invariant.js';
export * from './invariants/heartbeat-alive.js';
export * from './invariants/safe-value-reached.js';
export * from './invariants/no-uncommanded-change.js';
export * from './invariants/recovery-within.js';
export * from './summary.js';
export * from './summary-findings.js';
export * from './unobserved.js';
export * from './sampler-thread.js';
