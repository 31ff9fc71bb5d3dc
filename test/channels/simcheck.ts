import { startSimulator } from '../../simulators/gateway/index.js';
const t0 = Date.now();
const sim = await startSimulator({ profile: 'hardened', opcua: true });
console.log(JSON.stringify(sim.endpoints), Date.now() - t0);
await sim.stop();
console.log('stopped');
