import masterLoss from './scenarios/safe-state-master-loss.scenario.js';
import { runScenarioAgainstSim } from './test/support/scenario-harness.js';
for (const profile of ['hardened','weak','hostile'] as const) {
  const t0=Date.now();
  const { result } = await runScenarioAgainstSim(masterLoss, { profile });
  console.log(profile, result.verdict, Date.now()-t0, result.reason);
  console.log(result.measurements.map(m=>`${m.name}=${JSON.stringify(m.value)}`).join(' '));
}
process.exit(0);
