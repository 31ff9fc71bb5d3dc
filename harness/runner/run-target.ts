import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ScenarioResultSchema, type ScenarioResult } from '../core/result-schema.js';
import { exitCodeFor } from '../core/verdict.js';
import { EvidenceLog } from '../evidence/evidence-log.js';
import { parsedTextToShare, type LoadedTarget } from '../profile/load-target.js';
import type { ResolvedSecrets } from '../profile/secrets.js';
import { sealEvidence } from '../evidence/seal-record.js';
import { buildReport, runProvenance } from './build-report.js';
import type { ProgressEvent } from './progress-event.js';
import { PROFILE_SNAPSHOT } from './run-environment.js';
import { newRunId } from './run-id.js';
import type { RunRecord } from './run-record.js';
import type { ScenarioEntry } from './scenario-entry.js';
import { runScenarioJob } from './scenario-host-pool.js';
import { shardOf } from './shard.js';
import { startTargetContainer } from './target-container.js';
import { unfinishedResult } from './unfinished-result.js';

export interface RunTargetOptions {
  /** The profile as loaded and validated by the caller, once. */
  target: LoadedTarget;
  /** Its secrets, resolved by the caller; they reach the scenario host only through `env`. */
  secrets: ResolvedSecrets;
  /** The scenarios to run, in execution order (the caller's catalog, already selected). */
  scenarios: readonly ScenarioEntry[];
  runDir: string;
  runId?: string;
  shard?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent & { target: string }) => void;
  /** The command line recorded in the report (default: this process's). */
  command?: string[];
}

/**
 * Run the given scenarios against one target in a scenario host (harness/runner/scenario-host.ts,
 * shared with the run's other targets) and return the run record. Writes evidence.jsonl (the host
 * appends to the same chain) and the profile snapshot the host loads;
 * every other file of the run directory is the report writers' job.
 */
export async function runTarget(opts: RunTargetOptions): Promise<RunRecord> {
  const { target, secrets } = opts;
  const scenarios = shardOf(opts.scenarios, opts.shard);
  const env = opts.env ?? process.env;
  const runId = opts.runId ?? newRunId();
  const runDir = resolve(opts.runDir);
  mkdirSync(runDir, { recursive: true });
  // The profile holds no secrets (only variable names); it is kept with the evidence and is what the worker loads.
  copyFileSync(target.path, join(runDir, PROFILE_SNAPSHOT));
  const startedAt = new Date().toISOString();
  const command = opts.command ?? process.argv.slice(1);
  let evidence = new EvidenceLog(runDir, runId, secrets.redactor);
  evidence.event('harness', `run ${runId} start: target ${target.profile.name}`, {
    // Provenance at the start: a report rebuilt after a kill still names harness and host.
    run: { id: runId, startedAt, ...runProvenance(), command },
    target: target.profile.name,
    identity: target.profile.identity,
    profileDigest: target.digest,
    scenarios: scenarios.map((c) => c.def.id),
    shard: opts.shard,
  });

  const container = target.profile.container ? await startTargetContainer(target, evidence, env) : undefined;
  const started = new Set<string>();
  const reported = new Map<string, ScenarioResult>();
  const budget = scenarios.reduce((sum, c) => sum + c.def.budgetMs(target.profile) + 60_000, 60_000);
  const exit = await runScenarioJob({
    runDir,
    runId,
    files: scenarios.map((c) => c.file),
    profile: parsedTextToShare(target),
    env,
    deadlineMs: budget,
    signal: opts.signal,
    onProgress: (e) => {
      if (e.event === 'start') started.add(e.scenario);
      if (e.event === 'result') reported.set(e.scenario, ScenarioResultSchema.parse(e.result));
      opts.onProgress?.({ ...e, target: target.profile.name });
    },
  });

  // The host wrote to the log; continue the chain from the file's end.
  evidence = new EvidenceLog(runDir, runId, secrets.redactor);
  if (container) {
    await container.stop().catch((e: Error) => evidence.event('harness', `container stop failed: ${e.message}`));
    // Kept in memory and attached through the redactor: a container log may echo a secret.
    evidence.attach('container.log', container.logs());
  }
  const results: ScenarioResult[] = [];
  for (const c of scenarios) {
    const got = reported.get(c.def.id);
    if (got) {
      results.push(got);
      continue;
    }
    const r = unfinishedResult(c.def, started.has(c.def.id), exit, startedAt);
    evidence.append({ channel: 'harness', dir: 'verdict', scenario: c.def.id, text: `scenario ${c.def.id}: ${r.verdict} — ${r.reason}`, attrs: { result: r } });
    results.push(r);
    opts.onProgress?.({ event: 'result', scenario: c.def.id, verdict: r.verdict, reason: r.reason, durationMs: 0, result: r, target: target.profile.name });
  }
  if (exit.output.trim() && (exit.ended !== 'done' || results.some((r) => r.verdict === 'ERROR'))) evidence.attach('worker-output.txt', exit.output);
  evidence.event('harness', `run ${runId} end`, { verdicts: Object.fromEntries(results.map((r) => [r.scenarioId, r.verdict])) });
  // Last record of a complete run: without it the run reads as PARTIAL.
  const end = sealEvidence(evidence);

  const report = buildReport({
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    target,
    results,
    lastEvidence: end,
    command,
    shard: opts.shard,
  });
  return { runDir, report, exitCode: exitCodeFor(results.map((r) => r.verdict)) };
}
