/**
 * Figure 2 — Modbus request rate: sustained requests per second with verified responses against the
 * simulator's Modbus TCP server, hil's storm generator versus a libmodbus C client built here
 * (bench/ref/modbus-ref.c), both with the same number of connections, FC03 reading one holding
 * register. The simulator runs in its own process (bench/helpers/sim-child.ts), which counts the
 * requests its server handled: the server-side rate is reported for each client, so a generator
 * that "sends" faster than the device answers cannot look good.
 *
 * On 2 cores the server (one Node event loop) is usually the bottleneck for both clients; the ratio
 * then says whether hil's generator can saturate the device as well as a C client can.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow } from './report-table.js';
import { summarize } from './stats.js';
import { stormDriver } from './storm-driver.js';
import { benchChannelCtx, repoRoot, runTimed, startSimChild, which, type BenchOptions, type FigureResult } from './support.js';

export const MODBUS_CONNECTIONS = 4;

/** Build the C reference client; undefined (with why) when libmodbus-dev or a compiler is missing. */
export function buildModbusRef(workDir: string): { bin?: string; why?: string } {
  const cc = which('cc') ?? which('gcc');
  if (!cc) return { why: 'no C compiler (cc)' };
  const pc = spawnSync('pkg-config', ['--cflags', '--libs', 'libmodbus'], { encoding: 'utf8' });
  const flags = pc.status === 0 ? pc.stdout.trim().split(/\s+/) : existsSync('/usr/include/modbus/modbus.h') ? ['-I/usr/include/modbus', '-lmodbus'] : undefined;
  if (!flags) return { why: 'libmodbus-dev not installed (apt-get install libmodbus-dev)' };
  const bin = join(workDir, 'modbus-ref');
  const r = spawnSync(cc, ['-O2', '-o', bin, join(repoRoot, 'bench/ref/modbus-ref.c'), ...flags, '-lpthread'], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `cc failed: ${(r.stderr || r.error?.message || '').trim().slice(0, 300)}` };
  return { bin };
}

export async function benchModbusRate(o: BenchOptions): Promise<FigureResult> {
  const problems: string[] = [];
  const durationMs = o.smoke ? 1000 : 5000;
  const ref = buildModbusRef(o.workDir);
  if (!ref.bin) problems.push(`modbus rate: reference client not built: ${ref.why}`);
  const sim = await startSimChild({ opcua: false });
  const ctx = benchChannelCtx(o.workDir, 'modbus-rate');
  const driver = await stormDriver(ctx);
  const url = sim.endpoints.modbusTcp;
  const { hostname, port } = new URL(url);
  const hilRate: number[] = [];
  const hilServer: number[] = [];
  const refRate: number[] = [];
  const refServer: number[] = [];
  let hilUnverified = 0;
  let refUnverified = 0;
  try {
    for (let i = 0; i < o.reps; i++) {
      // hil's generator
      let c0 = await sim.modbusCount();
      let t0 = performance.now();
      const h = await driver.run({ url, unitId: 1, durationMs, connections: MODBUS_CONNECTIONS });
      let wall = performance.now() - t0;
      hilServer.push(((await sim.modbusCount()) - c0) / (wall / 1000));
      hilRate.push(h.achievedRate);
      hilUnverified += h.sent - h.verifiedResponses;
      if (!ref.bin) continue;
      // libmodbus reference, same server, same connections
      c0 = await sim.modbusCount();
      t0 = performance.now();
      const r = await runTimed(ref.bin, [hostname, port, String(durationMs / 1000), String(MODBUS_CONNECTIONS), '1', '0'], { timeoutMs: durationMs + 30_000 });
      wall = performance.now() - t0;
      const count = (await sim.modbusCount()) - c0;
      if (r.code !== 0) {
        problems.push(`modbus rate: reference exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
        continue;
      }
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sent: number; verified: number; errors: number; seconds: number };
      refRate.push(j.verified / j.seconds);
      refServer.push(count / (wall / 1000));
      refUnverified += j.sent - j.verified;
    }
  } finally {
    await sim.stop();
  }
  const unit = 'req/s';
  const hil = { ...summarize(hilRate), unit };
  const refM = refRate.length ? { ...summarize(refRate), unit } : null;
  const hilS = { ...summarize(hilServer), unit };
  const refS = refServer.length ? { ...summarize(refServer), unit } : null;
  const common = `FC03 × 1 register, ${MODBUS_CONNECTIONS} connections, ${durationMs / 1000} s per repetition, simulator in its own process`;
  const rows: BenchRow[] = [
    {
      id: 'modbus.client-rate',
      item: 2,
      figure: 'Modbus TCP sustained rate, verified responses (client side)',
      hil,
      referenceName: 'libmodbus 3.1 C client (bench/ref/modbus-ref.c)',
      reference: refM,
      ratio: refM ? hil.median / refM.median : null,
      ratioMeaning: 'hil / libmodbus; > 1 = hil faster',
      repetitions: o.reps,
      notes: `${common}; hil: ${driver.name}; unverified: hil ${hilUnverified}, ref ${refUnverified}`,
    },
    {
      id: 'modbus.server-rate',
      item: 2,
      figure: 'Modbus TCP rate observed by the simulator (server side)',
      hil: hilS,
      referenceName: 'same server under the libmodbus client',
      reference: refS,
      ratio: refS ? hilS.median / refS.median : null,
      ratioMeaning: 'under hil / under libmodbus',
      repetitions: o.reps,
      notes: 'requests counted inside the simulator (wrapped masterTraffic) ÷ wall time of the client run',
    },
  ];
  return { rows, problems };
}
