import { join } from 'node:path';
import { EvidenceLog } from '../evidence/evidence-log.js';
import { loadTargetFile, type LoadedTarget } from '../profile/load-target.js';
import { resolveSecrets, type ResolvedSecrets } from '../profile/secrets.js';
import { orphanCheck, watchParent } from './parent-watch.js';

/**
 * The scenario worker's view of the run, handed over by the parent through environment
 * variables (the worker is a vitest child process). Secrets travel only in the environment,
 * never through a file.
 */
export const RUN_ENV = {
  runDir: 'HIL_RUN_DIR',
  runId: 'HIL_RUN_ID',
  /** JSON array of the scenario files to run, in execution order. */
  scenarioFiles: 'HIL_SCENARIO_FILES',
  /** Pid of the `hil run` process: the worker ends the moment it is gone. */
  parentPid: 'HIL_PARENT_PID',
} as const;

/** The copy of the target profile kept in the run directory; the worker loads this, not the original. */
export const PROFILE_SNAPSHOT = 'target.yaml';

export interface RunEnvironment {
  runDir: string;
  runId: string;
  target: LoadedTarget;
  secrets: ResolvedSecrets;
  evidence: EvidenceLog;
}

let cached: RunEnvironment | undefined;

/** True when this process is a scenario worker started by `hil run`. */
export function inScenarioWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.VITEST && env[RUN_ENV.runDir]);
}

/** The scenario files of this run, in order (empty outside a run). */
export function scenarioFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env[RUN_ENV.scenarioFiles];
  return raw ? (JSON.parse(raw) as string[]) : [];
}

export function runEnvironment(env: NodeJS.ProcessEnv = process.env): RunEnvironment {
  if (cached) return cached;
  const runDir = env[RUN_ENV.runDir]!;
  const runId = env[RUN_ENV.runId] ?? 'unknown-run';
  const parentPid = Number(env[RUN_ENV.parentPid]);
  const watched = Number.isInteger(parentPid) && parentPid > 0;
  if (watched) watchParent(parentPid);
  // The parent validated this exact text before anything was sent; same text, same environment.
  const target = loadTargetFile(join(runDir, PROFILE_SNAPSHOT), env);
  const secrets = resolveSecrets(target.profile, env);
  const evidence = new EvidenceLog(runDir, runId, secrets.redactor);
  if (watched) evidence.beforeAppend = orphanCheck(parentPid);
  cached = { runDir, runId, target, secrets, evidence };
  return cached;
}
