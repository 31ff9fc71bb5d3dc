import { deadline } from '../core/deadline.js';
import type { ScenarioResult } from '../core/result-schema.js';
import type { EvidenceLog } from '../evidence/evidence-log.js';
import type { ResolvedSecrets } from '../profile/secrets.js';
import type { TargetProfile } from '../profile/target-schema.js';
import { ScenarioContext, scenarioVerdict } from './scenario-context.js';
import { scenarioInterfaces, skipDecision } from './scenario-applicability.js';
import type { ScenarioDefinition } from './scenario-definition.js';

export interface ExecuteOptions {
  target: TargetProfile;
  secrets: ResolvedSecrets;
  evidence: EvidenceLog;
  /** Run-level cancellation (SIGINT). */
  signal?: AbortSignal;
}

/**
 * Run one scenario against one target and return its result. Never throws for device or
 * harness trouble: everything ends as a verdict, teardown always runs, and the result is
 * also written to the evidence log as a 'verdict' record (so a killed run can be re-reported).
 */
export async function executeScenario(def: ScenarioDefinition, opts: ExecuteOptions): Promise<ScenarioResult> {
  const { target, secrets, evidence } = opts;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const firstSeq = evidence.nextSeq;
  evidence.scenario = def.id;
  evidence.event('harness', `scenario ${def.id} start: ${def.title}`, { requirements: def.requirements });

  const base = {
    scenarioId: def.id,
    title: def.title,
    requirements: def.requirements,
    startedAt,
    changesState: def.changesState,
    interfaces: scenarioInterfaces(def, target),
  };

  let result: ScenarioResult;
  const skip = skipDecision(def, target);
  if (skip) {
    result = { ...base, verdict: skip.verdict, reason: skip.reason, measurements: [], assertions: [], durationMs: 0 };
  } else {
    const budgetMs = def.budgetMs(target);
    const budget = deadline(budgetMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, budget]) : budget;
    const ctx = new ScenarioContext(def, target, secrets, evidence, signal);
    try {
      await def.run(ctx);
    } catch (e) {
      if (budget.aborted) ctx.record('ERROR', `time budget of ${budgetMs} ms exhausted; the device or the harness did not finish`);
      else if (opts.signal?.aborted) ctx.record('ERROR', opts.signal.reason === 'deadline' ? 'the run deadline was reached' : 'run cancelled');
      else ctx.recordException(e);
    } finally {
      await ctx.teardown();
    }
    const v = scenarioVerdict(ctx.verdicts);
    result = {
      ...base,
      verdict: v.verdict,
      reason: v.reason,
      measurements: ctx.measurements,
      assertions: ctx.assertions,
      durationMs: Math.round(performance.now() - t0),
      ...(Object.keys(v.perInterface).length ? { perInterface: v.perInterface } : {}),
      checks: ctx.checks,
    };
  }
  result.evidence = { firstSeq, lastSeq: evidence.nextSeq };
  evidence.append({ channel: 'harness', dir: 'verdict', text: `scenario ${def.id}: ${result.verdict} — ${result.reason}`, attrs: { result } });
  evidence.scenario = undefined;
  return result;
}
