import { scanTcp } from '../harness/channels/port-probe.ts';
import { benchChannelCtx, scratchDir } from './support.ts';
const ctx = benchChannelCtx(scratchDir(), 'scan');
for (const c of [512, 1024, 2048]) {
  const t0 = performance.now();
  const r = await scanTcp(process.argv[2] ?? '127.0.0.1', '1-65535', { concurrency: c }, ctx);
  console.log(c, Math.round(performance.now() - t0), r.open, r.errors.length, r.filtered.length);
}
