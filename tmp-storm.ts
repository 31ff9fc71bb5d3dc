import { startSimInBlock } from './harness/demo/sim-in-block.js';
import { runModbusStorm } from './harness/faults/modbus-storm.js';
for (const profile of ['hardened','weak'] as const) {
  const s = await startSimInBlock({ profile, opcua: false });
  for (const rate of [200, 500, 1000, 2000, 5000]) {
    const hb0 = s.sim.model.heartbeat;
    const r = await runModbusStorm({ url: s.sim.endpoints.modbusTcp, unitId: 1, ratePerSec: rate, durationMs: 1000, connections: 2 });
    console.log(profile, rate, r.achievedRate, r.verifiedRate, r.unanswered, r.throttled, r.latencyP95Ms, 'hb+', s.sim.model.heartbeat - hb0, r.errors);
  }
  await s.sim.stop();
}
process.exit(0)
