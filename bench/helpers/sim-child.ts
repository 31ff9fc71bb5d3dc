/**
 * Child process of the bench: one simulator, plus a counter of the Modbus TCP requests its main
 * server handled. The counter wraps the process model's masterTraffic() (the main Modbus TCP server
 * calls it once per register read; the bench reads one register per request), so the bench needs no
 * hook in the simulator itself.
 *
 *   argv: <profile> <opcua|no-opcua> [host]
 *   - without host: a free 1000-port block on 127.0.0.1 (startSimInBlock);
 *   - with host (an address inside a network namespace the bench made): the fixed layout at base 15000.
 *   Ready: one JSON line {"ready":true,...} on stdout, and over IPC when there is a channel.
 *   IPC: ← {type:'count', id} → {type:'count', id, count}
 */
import { startSimInBlock, SIM_PORT_OFFSETS } from '../../harness/demo/sim-in-block.js';
import { startSimulator, type Simulator, type SimProfileName } from '../../simulators/gateway/index.js';

const profile = (process.argv[2] ?? 'hardened') as SimProfileName;
const opcua = process.argv[3] === 'opcua';
const host = process.argv[4];

let sim: Simulator;
let base = 15_000;
let targetEnv: Record<string, string> = {};
if (host) {
  // Own temp pty directory (startSimulator's default), unlike `hil sim`, so a concurrent `hil sim` is not disturbed.
  const ports = Object.fromEntries(Object.entries(SIM_PORT_OFFSETS).map(([k, off]) => [k, base + off]));
  sim = await startSimulator({ profile, opcua, host, ports });
} else {
  const s = await startSimInBlock({ profile, opcua });
  sim = s.sim;
  base = s.base;
  targetEnv = s.targetEnv;
}

let count = 0;
const model = sim.model;
const orig = model.masterTraffic.bind(model);
model.masterTraffic = (source) => {
  if (source === 'modbus-tcp') count++;
  orig(source);
};
process.on('message', (m: { type: string; id: number }) => {
  if (m.type === 'count') process.send!({ type: 'count', id: m.id, count });
});
const stop = async () => {
  await sim.stop().catch(() => undefined);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (process.send) process.once('disconnect', stop);
const ready = { ready: true, endpoints: sim.endpoints, targetEnv, base };
process.stdout.write(JSON.stringify(ready) + '\n');
process.send?.({ type: 'ready', ...ready });
