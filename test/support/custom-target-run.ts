// Run a scenario against an in-process simulator through targets/<name>.yaml with the DECLARED
// policy modified (a short lockout, no idle timeout, ...), or against any hand-built target.
// Unlike runScenarioAgainstSim, the simulator stays up until `after` ran, so a test can inspect it
// (e.g. "the original password was restored").
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { startSimInBlock, type SimInBlock } from '../../harness/demo/sim-in-block.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import type { SimConfigOverrides, SimProfileName } from '../../simulators/gateway/index.js';
import './scenario-harness.js'; // sets HIL_SIM_*_PASSWORD for simulators and targets

const targets = join(import.meta.dirname, '../../targets');

export interface CustomRun {
  result: ScenarioResult;
  evidenceFile: string;
  target: TargetProfile;
}

/** Execute `def` against `target` with secrets from `env`; evidence goes to a fresh temp dir. */
export async function runOnTarget(def: ScenarioDefinition, target: TargetProfile, env: NodeJS.ProcessEnv = process.env): Promise<CustomRun> {
  const secrets = resolveSecrets(target, env);
  const runDir = mkdtempSync(join(tmpdir(), `hil-scn-${def.id}-`));
  const evidence = new EvidenceLog(runDir, `test-${def.id}`, secrets.redactor);
  const result = await executeScenario(def, { target, secrets, evidence });
  return { result, evidenceFile: join(runDir, 'evidence.jsonl'), target };
}

/**
 * Start a simulator, load targets/<targetName>.yaml pointed at it, let `declare` change the
 * declared profile, run, then `after(sim)` while the simulator still runs, then stop it.
 * Without OPC UA the target's opcua interface is removed (the YAML's default address would
 * otherwise point at nothing).
 */
export async function runWithDeclared(
  def: ScenarioDefinition,
  opts: {
    profile: SimProfileName;
    config?: SimConfigOverrides;
    opcua?: boolean;
    targetName?: string;
    declare?: (t: TargetProfile) => void;
    after?: (sim: SimInBlock) => Promise<void> | void;
  },
): Promise<CustomRun> {
  const sim = await startSimInBlock({ profile: opts.profile, config: opts.config, opcua: opts.opcua ?? false });
  try {
    const env = { ...process.env, ...sim.targetEnv };
    const target = loadTargetFile(join(targets, `${opts.targetName ?? 'sim-hardened'}.yaml`), env).profile;
    if (!opts.opcua) delete target.interfaces.opcua;
    opts.declare?.(target);
    const run = await runOnTarget(def, target, env);
    await opts.after?.(sim);
    return run;
  } finally {
    await sim.sim.stop();
  }
}
