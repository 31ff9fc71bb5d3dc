/**
 * Child process of the fleet and start-up benches: N hardened simulators (no OPC UA), each in its own
 * 1000-port block on loopback, in one process — they are the devices, kept out of the process tree
 * whose memory the bench measures. argv: <count>. IPC → {type:'ready', sims:[{base, targetEnv}]}.
 */
import { startSimInBlock, type SimInBlock } from '../../harness/demo/sim-in-block.js';

const n = Number(process.argv[2] ?? '1');
const sims: SimInBlock[] = [];
const stop = async () => {
  await Promise.allSettled(sims.map((s) => s.sim.stop()));
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
for (let i = 0; i < n; i++) sims.push(await startSimInBlock({ profile: 'hardened', opcua: false, avoid: sims.map((s) => s.base) }));
process.send!({ type: 'ready', sims: sims.map((s) => ({ base: s.base, targetEnv: s.targetEnv })) });
