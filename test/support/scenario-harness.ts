import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { startSimInBlock, type SimInBlock } from '../../harness/demo/sim-in-block.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import type { SimConfigOverrides } from '../../simulators/gateway/sim-config.js';
import type { SimProfileName } from '../../simulators/gateway/index.js';

const targets = join(import.meta.dirname, '../../targets');

/** Fresh passwords per test process, satisfying the hardened policy; simulators and targets read the same variables. */
process.env.HIL_SIM_ADMIN_PASSWORD ??= `T-${randomBytes(8).toString('base64url')}#1a`;
process.env.HIL_SIM_OPERATOR_PASSWORD ??= `T-${randomBytes(8).toString('base64url')}#2b`;

export const SIM_SECRETS = [process.env.HIL_SIM_ADMIN_PASSWORD, process.env.HIL_SIM_OPERATOR_PASSWORD] as const;

export interface ScenarioRun {
  result: ScenarioResult;
  runDir: string;
  evidenceFile: string;
}

/**
 * Run one scenario in-process against a running simulator through a shipped target profile.
 * `targetName` picks targets/<name>.yaml: by default the hardened profile, i.e. the device
 * DECLARES the hardened policy, so a simulator with a switch flipped must be caught.
 */
export async function runScenarioOn(def: ScenarioDefinition, sim: SimInBlock, targetName = 'sim-hardened', extraEnv: Record<string, string> = {}): Promise<ScenarioRun> {
  const env = { ...process.env, ...sim.targetEnv, ...extraEnv };
  const target = loadTargetFile(join(targets, `${targetName}.yaml`), env);
  const secrets = resolveSecrets(target.profile, env);
  const runDir = mkdtempSync(join(tmpdir(), `hil-scn-${def.id}-`));
  const evidence = new EvidenceLog(runDir, `test-${def.id}`, secrets.redactor);
  const result = await executeScenario(def, { target: target.profile, secrets, evidence });
  return { result, runDir, evidenceFile: join(runDir, 'evidence.jsonl') };
}

/** Start a simulator (all ports in one block), run the scenario, stop the simulator. */
export async function runScenarioAgainstSim(
  def: ScenarioDefinition,
  opts: { profile: SimProfileName; config?: SimConfigOverrides; opcua?: boolean; targetName?: string },
): Promise<ScenarioRun> {
  const sim = await startSimInBlock({ profile: opts.profile, config: opts.config, opcua: opts.opcua ?? false });
  try {
    return await runScenarioOn(def, sim, opts.targetName ?? 'sim-hardened');
  } finally {
    await sim.sim.stop();
  }
}
