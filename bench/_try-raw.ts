import { Socket } from 'node:net';
async function scan(host: string, conc: number, useTimer: boolean) {
  const t0 = performance.now();
  let next = 1, active = 0; const open: number[] = [];
  await new Promise<void>((resolve) => {
    const pump = () => { while (active < conc && next <= 65535) probe(next++); if (active === 0 && next > 65535) resolve(); };
    const probe = (port: number) => {
      active++;
      const s = new Socket();
      let done = false;
      const timer = useTimer ? setTimeout(() => fin(), 1000) : undefined;
      const fin = (o?: boolean) => { if (done) return; done = true; if (timer) clearTimeout(timer); if (o) open.push(port); s.destroy(); active--; pump(); };
      s.once('connect', () => fin(true)); s.once('error', () => fin());
      s.connect({ host, port });
    };
    pump();
  });
  return [Math.round(performance.now() - t0), open.length];
}
for (const c of [256, 512, 1024]) console.log(c, await scan(process.argv[2] ?? '127.0.0.1', c, false), await scan(process.argv[2] ?? '127.0.0.1', c, true));
