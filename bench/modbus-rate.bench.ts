/**
 * Figure 2 — Modbus request rate: sustained requests per second with verified responses against the
 * simulator's Modbus TCP server, hil's storm generator versus a libmodbus C client built here
 * (bench/ref/modbus-ref.c), FC03 reading one holding register. The simulator runs in its own process
 * (bench/helpers/sim-child.ts), which counts the requests its server handled: the server-side rate is
 * reported for each client, so a generator that "sends" faster than the device answers cannot look good.
 *
 * Two references, because libmodbus is strictly one request in flight per connection while hil's
 * generator pipelines (STORM_IN_FLIGHT per connection):
 *   - same connections (MODBUS_CONNECTIONS): what a conventional client gets on the same sockets;
 *   - matched concurrency (connections × in-flight, one libmodbus thread per connection): the
 *     fairer ceiling, the same number of requests outstanding at the device.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow, Measured } from './report-table.js';
import { summarize } from './stats.js';
import { stormDriver } from './storm-driver.js';
import { benchChannelCtx, repoRoot, runTimed, startSimChild, which, type BenchOptions, type FigureResult, type SimChild } from './support.js';

export const MODBUS_CONNECTIONS = 4;
/** The C client's thread cap (one connection per thread). */
const REF_MAX_CONNECTIONS = 256;

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

interface RefRun {
  client: number;
  server: number;
  unverified: number;
}

async function runRef(bin: string, sim: SimChild, connections: number, durationMs: number): Promise<RefRun> {
  const { hostname, port } = new URL(sim.endpoints.modbusTcp);
  const c0 = await sim.modbusCount();
  const t0 = performance.now();
  const r = await runTimed(bin, [hostname, port, String(durationMs / 1000), String(connections), '1', '0'], { timeoutMs: durationMs + 30_000 });
  const wall = performance.now() - t0;
  const count = (await sim.modbusCount()) - c0;
  if (r.code !== 0) throw new Error(`reference exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sent: number; verified: number; seconds: number };
  return { client: j.verified / j.seconds, server: count / (wall / 1000), unverified: j.sent - j.verified };
}

export async function benchModbusRate(o: BenchOptions): Promise<FigureResult> {
  const problems: string[] = [];
  const durationMs = o.smoke ? 1000 : 4000;
  const ref = buildModbusRef(o.workDir);
  if (!ref.bin) problems.push(`modbus rate: reference client not built: ${ref.why}`);
  const sim = await startSimChild({ opcua: false });
  const ctx = benchChannelCtx(o.workDir, 'modbus-rate');
  const driver = await stormDriver(ctx);
  const matched = Math.min(REF_MAX_CONNECTIONS, MODBUS_CONNECTIONS * driver.inFlight);
  const url = sim.endpoints.modbusTcp;
  const hilRate: number[] = [];
  const hilServer: number[] = [];
  const same: RefRun[] = [];
  const match: RefRun[] = [];
  let hilUnverified = 0;
  try {
    for (let i = 0; i < o.reps; i++) {
      const c0 = await sim.modbusCount();
      const t0 = performance.now();
      const h = await driver.run({ url, unitId: 1, durationMs, connections: MODBUS_CONNECTIONS });
      const wall = performance.now() - t0;
      hilServer.push(((await sim.modbusCount()) - c0) / (wall / 1000));
      hilRate.push(h.achievedRate);
      hilUnverified += h.sent - h.verifiedResponses;
      if (!ref.bin) continue;
      try {
        same.push(await runRef(ref.bin, sim, MODBUS_CONNECTIONS, durationMs));
        if (matched !== MODBUS_CONNECTIONS) match.push(await runRef(ref.bin, sim, matched, durationMs));
      } catch (e) {
        problems.push(`modbus rate: ${(e as Error).message}`);
      }
    }
  } finally {
    await sim.stop();
  }
  const unit = 'req/s';
  const m = (xs: number[]): Measured | null => (xs.length ? { ...summarize(xs), unit } : null);
  const hil = m(hilRate)!;
  const hilS = m(hilServer)!;
  const sameM = m(same.map((r) => r.client));
  const matchM = m(match.map((r) => r.client));
  const ratio = (a: Measured, b: Measured | null) => (b ? a.median / b.median : null);
  const common = `FC03 × 1 register, ${durationMs / 1000} s per repetition, simulator in its own process; hil: ${driver.name}, ${MODBUS_CONNECTIONS} connections`;
  const unverified = (rs: RefRun[]) => rs.reduce((n, r) => n + r.unverified, 0);
  const rows: BenchRow[] = [
    {
      id: 'modbus.client-rate',
      item: 2,
      figure: `Modbus TCP sustained rate, verified responses — same ${MODBUS_CONNECTIONS} connections`,
      hil,
      referenceName: `libmodbus 3.1 C client, ${MODBUS_CONNECTIONS} connections (1 in flight each)`,
      reference: sameM,
      ratio: ratio(hil, sameM),
      ratioMeaning: 'hil / libmodbus; > 1 = hil faster',
      repetitions: o.reps,
      notes: `${common}; unverified responses: hil ${hilUnverified}, libmodbus ${unverified(same)}`,
    },
  ];
  if (matched !== MODBUS_CONNECTIONS)
    rows.push({
      id: 'modbus.client-rate-matched',
      item: 2,
      figure: `Modbus TCP sustained rate, verified responses — matched concurrency (${matched} requests in flight)`,
      hil,
      referenceName: `libmodbus 3.1 C client, ${matched} connections`,
      reference: matchM,
      ratio: ratio(hil, matchM),
      ratioMeaning: 'hil / libmodbus; > 1 = hil faster',
      repetitions: o.reps,
      notes: `same number of outstanding requests at the device; unverified: libmodbus ${unverified(match)}`,
    });
  const serverRef = matchM ? match : same;
  rows.push({
    id: 'modbus.server-rate',
    item: 2,
    figure: 'Modbus TCP rate observed by the simulator (server side)',
    hil: hilS,
    referenceName: `same server under libmodbus, ${serverRef === match ? matched : MODBUS_CONNECTIONS} connections`,
    reference: m(serverRef.map((r) => r.server)),
    ratio: ratio(hilS, m(serverRef.map((r) => r.server))),
    ratioMeaning: 'under hil / under libmodbus',
    repetitions: o.reps,
    notes: `requests counted inside the simulator (wrapped masterTraffic) ÷ wall time of the client run${serverRef === match && same.length ? `; under libmodbus with ${MODBUS_CONNECTIONS} connections: ${Math.round(summarize(same.map((r) => r.server)).median)} req/s` : ''}`,
  });
  return { rows, problems };
}
