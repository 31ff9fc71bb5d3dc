import { EvidenceLog } from '../evidence/evidence-log.js';
import { loadTargetFile, type LoadedTarget } from '../profile/load-target.js';
import { resolveSecrets, type ResolvedSecrets } from '../profile/secrets.js';

/**
 * The scenario worker's view of the run, handed over by `hil run` through environment
 * variables (the worker is a vitest child process).
 */
export const RUN_ENV = {
  runDir: 'HIL_RUN_DIR',
  runId: 'HIL_RUN_ID',
  targetFile: 'HIL_TARGET_FILE',
} as const;

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
  return Boolean(env.VITEST && env[RUN_ENV.runDir] && env[RUN_ENV.targetFile]);
}

export function runEnvironment(env: NodeJS.ProcessEnv = process.env): RunEnvironment {
  if (cached) return cached;
  const runDir = env[RUN_ENV.runDir]!;
  const runId = env[RUN_ENV.runId] ?? 'unknown-run';
  const target = loadTargetFile(env[RUN_ENV.targetFile]!, env);
  const secrets = resolveSecrets(target.profile, env);
  cached = { runDir, runId, target, secrets, evidence: new EvidenceLog(runDir, runId, secrets.redactor) };
  return cached;
}
