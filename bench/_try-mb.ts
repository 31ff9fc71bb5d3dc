import { benchModbusRate } from './modbus-rate.bench.js';
import { scratchDir, ensureSimSecrets } from './support.js';
ensureSimSecrets();
const r = await benchModbusRate({ smoke: process.argv[2] === 'smoke', reps: 2, workDir: scratchDir(), log: console.log });
console.log(JSON.stringify(r, null, 1));
