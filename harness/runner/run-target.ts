import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ScenarioResultSchema, type Report, type ScenarioResult } from '../core/result-schema.js';
import { exitCodeFor } from '../core/verdict.js';
import { EvidenceLog } from '../evidence/evidence-log.js';
import type { Redactor } from '../evidence/redactor.js';
import { loadTargetFile, type LoadedTarget } from '../profile/load-target.js';
import { resolveSecrets } from '../profile/secrets.js';
import { buildReport } from './build-report.js';
import type { ProgressEvent } from './progress-reporter.js';
import { loadCatalog } from './scenario-catalog.js';
import { newRunId } from './run-id.js';
import { runScenarioWorker } from './scenario-worker.js';

export interface RunTargetOptions {
  targetFile: string;
  runDir: string;
  runId?: string;
  /** Scenario ids to run; all of the catalog when empty. */
  scenarioIds?: string[];
  shard?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent & { target: string }) => void;
  /** Render junit/html/md/pcap/manifest after the run (default true). */
  render?: boolean;
  keyPath?: string;
}

export interface TargetRunResult {
  runDir: string;
  report: Report;
  exitCode: 0 | 1 | 2;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Validate a target before anything is sent to it: profile schema and secrets. Throws ProfileError / MissingSecretError. */
export function prepareTarget(targetFile: string, env: NodeJS.ProcessEnv = process.env): LoadedTarget {
  const target = loadTargetFile(targetFile, env);
  resolveSecrets(target.profile, env);
  return target;
}

/** Run the scenario library against one target and write its run directory. */
export async function runTarget(opts: RunTargetOptions): Promise<TargetRunResult> {
  const env = opts.env ?? process.env;
  const target = prepareTarget(opts.targetFile, env);
  const secrets = resolveSecrets(target.profile, env);
  const catalog = await loadCatalog();
  const unknown = (opts.scenarioIds ?? []).filter((id) => !catalog.some((c) => c.def.id === id));
  if (unknown.length) throw new UsageError(`unknown scenario id(s): ${unknown.join(', ')} (see hil list)`);
  const selected = opts.scenarioIds?.length ? catalog.filter((c) => opts.scenarioIds!.includes(c.def.id)) : catalog;

  const runId = opts.runId ?? newRunId();
  const runDir = resolve(opts.runDir);
  mkdirSync(runDir, { recursive: true });
  // The profile holds no secrets (only variable names); keep it with the evidence.
  copyFileSync(target.path, join(runDir, 'target.yaml'));
  const startedAt = new Date().toISOString();
  let evidence = new EvidenceLog(runDir, runId, secrets.redactor);
  evidence.event('harness', `run ${runId} start: target ${target.profile.name}`, {
    target: target.profile.name,
    identity: target.profile.identity,
    profileDigest: target.digest,
    scenarios: selected.map((c) => c.def.id),
    shard: opts.shard,
  });

  const container = target.profile.container ? await startContainer(target, evidence, env) : undefined;
  const started = new Set<string>();
  const budget = selected.reduce((sum, c) => sum + c.def.budgetMs(target.profile) + 60_000, 60_000);
  const exit = await runScenarioWorker({
    runDir,
    runId,
    targetFile: target.path,
    files: selected.map((c) => c.file),
    shard: opts.shard,
    env,
    deadlineMs: budget,
    signal: opts.signal,
    onProgress: (e) => {
      if (e.event === 'start') started.add(e.scenario);
      opts.onProgress?.({ ...e, target: target.profile.name });
    },
  });

  // The worker wrote to the log; continue the chain from the file's end.
  evidence = new EvidenceLog(runDir, runId, secrets.redactor);
  if (container) {
    await container.stop().catch((e: Error) => evidence.event('harness', `container stop failed: ${e.message}`));
    // Kept in memory and attached through the redactor: a container log may echo a secret.
    evidence.attach('container.log', container.logs());
  }
  const results = collectResults(runDir, selected.map((c) => c.def.id));
  for (const c of selected) {
    if (results.some((r) => r.scenarioId === c.def.id)) continue;
    if (!started.has(c.def.id) && opts.shard) continue; // belongs to another shard
    const why = started.has(c.def.id)
      ? exit.killedByDeadline
        ? 'the scenario did not finish within the run deadline; the worker was stopped'
        : `the scenario did not finish (worker exit ${exit.code ?? exit.signal})`
      : `the scenario was not reached (worker exit ${exit.code ?? exit.signal})`;
    const r: ScenarioResult = {
      scenarioId: c.def.id,
      title: c.def.title,
      verdict: started.has(c.def.id) ? 'ERROR' : 'NOT_RUN',
      requirements: c.def.requirements,
      measurements: [],
      assertions: [],
      reason: why,
      durationMs: 0,
      startedAt,
      interfaces: [],
      changesState: c.def.changesState,
    };
    evidence.append({ channel: 'harness', dir: 'verdict', scenario: c.def.id, text: `scenario ${c.def.id}: ${r.verdict} — ${why}`, attrs: { result: r } });
    results.push(r);
    opts.onProgress?.({ event: 'result', scenario: c.def.id, verdict: r.verdict, reason: why, durationMs: 0, target: target.profile.name });
  }
  if (exit.output.trim() && (exit.code !== 0 || results.some((r) => r.verdict === 'ERROR'))) evidence.attach('worker-output.txt', exit.output);
  const order = selected.map((c) => c.def.id);
  results.sort((a, b) => order.indexOf(a.scenarioId) - order.indexOf(b.scenarioId));
  evidence.event('harness', `run ${runId} end`, { verdicts: Object.fromEntries(results.map((r) => [r.scenarioId, r.verdict])) });

  const report = buildReport({
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    target,
    results,
    runDir,
    command: process.argv.slice(1),
    shard: opts.shard,
  });
  writeFileSync(join(runDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  if (opts.render !== false) await render(runDir, secrets.redactor, opts.keyPath);
  return { runDir, report, exitCode: exitCodeFor(results.map((r) => r.verdict)) };
}

function collectResults(runDir: string, ids: string[]): ScenarioResult[] {
  const dir = join(runDir, 'results');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && ids.includes(f.slice(0, -5)))
    .map((f) => ScenarioResultSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
}

async function startContainer(target: LoadedTarget, evidence: EvidenceLog, env: NodeJS.ProcessEnv) {
  const { startContainerTarget, loopbackTcpEndpoints } = await import('../container/container-target.js');
  const p = target.profile;
  evidence.event('harness', `starting container ${p.container!.image}`);
  const c = await startContainerTarget(p.container!, {
    env,
    baseDir: dirname(target.path),
    targetName: p.name,
    waitForTcp: loopbackTcpEndpoints([p.interfaces.modbus?.tcp, p.interfaces.mqtt?.url, p.monitor?.modbusTcp]),
  });
  evidence.event('harness', `container ${c.containerId} started`);
  return c;
}

async function render(runDir: string, redactor: Redactor, keyPath?: string): Promise<void> {
  const { renderRunDirectory } = await import('../../reports/runs/render-run.js');
  await renderRunDirectory(runDir, { keyPath, redactor });
}
