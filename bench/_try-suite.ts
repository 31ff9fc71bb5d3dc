import { benchSuiteTime } from './suite-time.bench.js';
import { scratchDir, ensureSimSecrets } from './support.js';
ensureSimSecrets();
const r = await benchSuiteTime({ smoke: process.argv[2] === 'smoke', reps: 1, workDir: scratchDir(), log: console.log });
for (const x of r.rows) console.log(x.id, JSON.stringify(x.hil), JSON.stringify(x.reference), x.notes);
console.log(r.problems);
