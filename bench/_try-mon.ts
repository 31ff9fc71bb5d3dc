import { benchMonitorFidelity } from './monitor-fidelity.bench.js';
import { scratchDir, ensureSimSecrets } from './support.js';
ensureSimSecrets();
const r = await benchMonitorFidelity({ smoke: process.argv[2] === 'smoke', reps: 2, workDir: scratchDir(), log: console.log });
for (const x of r.rows) console.log(x.id, JSON.stringify(x.hil), JSON.stringify(x.reference), x.notes);
console.log(r.problems);
