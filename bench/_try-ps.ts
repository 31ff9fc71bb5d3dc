import { benchPortScan } from './port-scan.bench.js';
import { scratchDir, ensureSimSecrets } from './support.js';
ensureSimSecrets();
const r = await benchPortScan({ smoke: process.argv[2] === 'smoke', reps: 2, workDir: scratchDir(), log: console.log });
console.log(JSON.stringify(r, null, 1));
