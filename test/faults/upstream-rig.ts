// A simulated gateway whose upstream MQTT goes through the scenario's fault proxy to a real
// mosquitto, and the target profile that declares exactly that (faults.upstream), so link-loss
// and broker-outage run end to end: sim → proxy (owned by the scenario) → mosquitto (owned here).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simTargetEnv } from '../../harness/demo/sim-target-env.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { registerLabHook } from '../../harness/faults/lab-action.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { FaultsConfig } from '../../harness/profile/target-schema.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import type { ScenarioResult } from '../../harness/core/result-schema.js';
import { startSimulator, type SimProfileName } from '../../simulators/gateway/index.js';
import { freeLoopbackPort, startMosquitto, type MosquittoBroker } from '../support/mosquitto-fixture.js';
import '../support/scenario-harness.js'; // sets the simulator account passwords in the environment

export interface UpstreamRun {
  result: ScenarioResult;
  evidenceFile: string;
  broker: MosquittoBroker;
}

/** Start mosquitto and a simulator routed through the (future) proxy port, run the scenario, stop everything. */
export async function runWithUpstream(def: ScenarioDefinition, profile: SimProfileName, upstream: Partial<NonNullable<FaultsConfig['upstream']>> = {}): Promise<UpstreamRun> {
  const broker = await startMosquitto({ mode: 'insecure' });
  const proxyPort = await freeLoopbackPort();
  const tag = `${def.id}-${proxyPort}`;
  const unhook = [registerLabHook(`broker-stop-${tag}`, () => broker.stop()), registerLabHook(`broker-start-${tag}`, () => broker.start())];
  const sim = await startSimulator({ profile, opcua: false, externalBrokerUrl: `mqtt://127.0.0.1:${proxyPort}` });
  try {
    const ports = sim.endpoints.tcpPorts;
    const env = { ...process.env, ...simTargetEnv(sim.endpoints, `${Math.min(...ports)}-${Math.max(...ports)}`), HIL_SIM_OPCUA: '' };
    const target = loadTargetFile(join(import.meta.dirname, '../../targets/sim-hardened.yaml'), env).profile;
    // What a lab writes into the profile when it routes the gateway's broker through the harness.
    target.faults = FaultsConfig.parse({
      upstream: {
        target: `tcp://127.0.0.1:${broker.port}`,
        proxyListen: `tcp://127.0.0.1:${proxyPort}`,
        control: { stop: { hook: `broker-stop-${tag}` }, start: { hook: `broker-start-${tag}` } },
        maxConnectAttemptsPerSec: 2,
        reconnectMs: 10_000,
        outageMs: 2000,
        ...upstream,
      },
    });
    const secrets = resolveSecrets(target, env);
    const runDir = mkdtempSync(join(tmpdir(), `hil-scn-${def.id}-`));
    const evidence = new EvidenceLog(runDir, `test-${def.id}`, secrets.redactor);
    const result = await executeScenario(def, { target, secrets, evidence });
    return { result, evidenceFile: join(runDir, 'evidence.jsonl'), broker };
  } finally {
    await sim.stop();
    for (const u of unhook) u();
    await broker.close();
  }
}
