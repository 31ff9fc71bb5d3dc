// Helpers for scenario tests that target something other than a shipped simulator profile:
// run a scenario against an in-memory profile, and a stand-in telemetry publisher for a bare broker.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';

/** Run one scenario against a profile (secrets from `env`), with a fresh evidence log. */
export async function runScenarioOnProfile(def: ScenarioDefinition, profile: TargetProfile, env: NodeJS.ProcessEnv = process.env): Promise<{ result: ScenarioResult; evidenceFile: string }> {
  const secrets = resolveSecrets(profile, env);
  const dir = mkdtempSync(join(tmpdir(), `hil-scn-${def.id}-`));
  const evidence = new EvidenceLog(dir, `test-${def.id}`, secrets.redactor);
  const result = await executeScenario(def, { target: profile, secrets, evidence });
  return { result, evidenceFile: join(dir, 'evidence.jsonl') };
}

/**
 * What a gateway does on its broker: publish telemetry every `periodMs`. Lets the anonymous-access
 * probe show a real effect (telemetry received) on a bare Mosquitto.
 */
export async function startTelemetryPublisher(url: string, topic: string, creds?: { username: string; password: string }, periodMs = 200): Promise<{ stop(): Promise<void> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...(creds ?? {}) });
  let n = 0;
  const timer = setInterval(() => void client.publish(topic, JSON.stringify({ heartbeat: n++ })), periodMs);
  return {
    async stop() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}
