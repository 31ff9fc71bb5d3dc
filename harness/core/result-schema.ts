import { z } from 'zod';
import { MeasurementSchema } from './measurement.js';
import { VerdictSchema, VERDICTS } from './verdict.js';

/** One checked expectation: what the criterion required and what the device did. */
export const AssertionSchema = z.object({
  name: z.string(),
  expected: z.unknown(),
  actual: z.unknown(),
  passed: z.boolean(),
  iface: z.string().optional(),
  /** Evidence sequence numbers that back this assertion. */
  evidence: z.array(z.number().int()).optional(),
});
export type Assertion = z.infer<typeof AssertionSchema>;

/**
 * The verdict of one check of a scenario (a declared measurement, an expectation, a positive
 * control, or a verdict the scenario recorded directly), per interface where it has one. A check
 * that found a FAIL keeps it: later errors add checks, they never rewrite one.
 */
export const CheckResultSchema = z.object({
  name: z.string(),
  verdict: VerdictSchema,
  iface: z.string().optional(),
  /** Why, when the verdict is not PASS (names the weakness for a FAIL). */
  reason: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** The outcome of one scenario against one target (one line of results[] in report.json). */
export const ScenarioResultSchema = z.object({
  scenarioId: z.string(),
  title: z.string(),
  verdict: VerdictSchema,
  requirements: z.array(z.string()),
  measurements: z.array(MeasurementSchema),
  assertions: z.array(AssertionSchema),
  reason: z.string(),
  durationMs: z.number(),
  startedAt: z.string(),
  interfaces: z.array(z.string()),
  changesState: z.boolean(),
  /** Per-interface verdicts when a scenario runs on several interfaces. */
  perInterface: z.record(z.string(), VerdictSchema).optional(),
  /** Per-check verdicts in the order they were recorded (absent in reports written before they existed). */
  checks: z.array(CheckResultSchema).optional(),
  /** Range of evidence.jsonl records written while the scenario ran. */
  evidence: z.object({ firstSeq: z.number().int(), lastSeq: z.number().int() }).optional(),
});
export type ScenarioResult = z.infer<typeof ScenarioResultSchema>;

export const VerdictCountsSchema = z.object(Object.fromEntries(VERDICTS.map((v) => [v, z.number().int()])) as Record<(typeof VERDICTS)[number], z.ZodNumber>);

export const IdentitySchema = z.object({
  vendor: z.string(),
  model: z.string(),
  firmware: z.string(),
  serial: z.string().optional(),
});

/** One change left on the device: the restoration plan's record (seq), what and where, and how to put it back. */
export const OutstandingRestorationSchema = z
  .object({ id: z.string(), seq: z.number().int(), t: z.string(), scenario: z.string().optional(), path: z.string(), point: z.string(), how: z.string() })
  .passthrough();

/** report.json: the canonical result of one run against one target. Other tools rely on these fields. */
export const ReportSchema = z.object({
  schemaVersion: z.literal(1),
  run: z.object({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    harnessVersion: z.string(),
    /** Which tree of the harness ran: `sources (tsx)` or `compiled (.build-<id>)` (bin/compiled-tree.js). */
    harnessTree: z.string().optional(),
    libraries: z.record(z.string(), z.string()),
    host: z.object({ node: z.string(), platform: z.string(), hostname: z.string() }),
    command: z.array(z.string()).optional(),
    shard: z.string().optional(),
    /** True when the run did not finish (report re-rendered from what the evidence holds). */
    partial: z.boolean().optional(),
  }),
  target: z.object({
    name: z.string(),
    identity: IdentitySchema,
    profilePath: z.string().optional(),
    profileDigest: z.string(),
  }),
  results: z.array(ScenarioResultSchema),
  summary: VerdictCountsSchema.extend({ total: z.number().int(), overall: VerdictSchema }),
  evidence: z.object({ file: z.literal('evidence.jsonl'), records: z.number().int(), lastHash: z.string() }),
  /**
   * What a state-changing probe changed and nobody has put back yet (a killed run, a failed
   * teardown), from the evidence and any `hil restore` logs; absent when nothing is outstanding.
   */
  outstandingRestorations: z.array(OutstandingRestorationSchema).optional(),
});
export type Report = z.infer<typeof ReportSchema>;
