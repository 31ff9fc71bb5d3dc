/**
 * Child process of the bench: one simulator in its own port block, plus a counter of the Modbus TCP
 * requests its main server handled. The counter wraps the process model's masterTraffic() (every
 * request of the main Modbus TCP server calls it once per register read; the bench reads one register
 * per request), so the bench needs no hook in the simulator itself.
 *   argv: <profile> <opcua|no-opcua>; IPC: → {type:'ready', endpoints, targetEnv, base}; ← {type:'count', id} → {type:'count', id, count}
 */
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import type { SimProfileName } from '../../simulators/gateway/index.js';

const profile = (process.argv[2] ?? 'hardened') as SimProfileName;
const opcua = process.argv[3] === 'opcua';
const s = await startSimInBlock({ profile, opcua });
let count = 0;
const model = s.sim.model;
const orig = model.masterTraffic.bind(model);
model.masterTraffic = (source) => {
  if (source === 'modbus-tcp') count++;
  orig(source);
};
process.on('message', (m: { type: string; id: number }) => {
  if (m.type === 'count') process.send!({ type: 'count', id: m.id, count });
});
const stop = async () => {
  await s.sim.stop().catch(() => undefined);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
process.send!({ type: 'ready', endpoints: s.sim.endpoints, targetEnv: s.targetEnv, base: s.base });
