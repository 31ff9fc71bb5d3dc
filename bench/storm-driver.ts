/**
 * hil's Modbus load generator as the bench drives it (figures 2 and 3): harness/faults' runModbusStorm
 * flat out (closed loop: answers are refilled at once, one write per connection per batch, every
 * answer verified). Should that module be missing the bench falls back to a minimal closed loop over
 * hil's own ModbusChannel and says so in the table, so the figure is never silently about a
 * different client.
 */
import { ModbusChannel } from '../harness/protocols/modbus/modbus-channel.js';
import type { ChannelContext } from '../harness/protocols/transport/channel.js';

export interface StormRun {
  sent: number;
  verifiedResponses: number;
  achievedRate: number;
  durationMs: number;
}

export interface StormDriver {
  /** 'harness/faults runModbusStorm' or the fallback's name, for the table's notes. */
  name: string;
  /** Requests in flight per connection. */
  inFlight: number;
  run(o: { url: string; unitId: number; durationMs: number; connections: number; signal?: AbortSignal }): Promise<StormRun>;
}

/** Shape of the storm generator's API as agreed (harness/faults). Extra fields are ignored. */
type RunModbusStorm = (o: {
  url: string;
  unitId: number;
  ratePerSec: number;
  durationMs: number;
  connections: number;
  signal?: AbortSignal;
  [k: string]: unknown;
}) => Promise<{ sent: number; verifiedResponses: number; elapsedMs?: number; [k: string]: unknown }>;

/** Requests in flight per connection (the generator pipelines; libmodbus cannot, see modbus-rate.bench.ts). */
export const STORM_IN_FLIGHT = 64;

/** Unbounded target rate: the figure is the sustained maximum, so the generator must never be the one waiting. */
const FLAT_OUT = 1_000_000;

async function findStorm(): Promise<RunModbusStorm | undefined> {
  for (const mod of ['../harness/faults/modbus-storm.js']) {
    try {
      const m = (await import(mod)) as { runModbusStorm?: RunModbusStorm };
      if (typeof m.runModbusStorm === 'function') return m.runModbusStorm;
    } catch {
      /* not written yet */
    }
  }
  return undefined;
}

function fallbackDriver(ctx: ChannelContext): StormDriver {
  return {
    name: 'fallback closed loop on hil ModbusChannel (harness/faults runModbusStorm not present)',
    inFlight: 1,
    async run({ url, unitId, durationMs, connections, signal }) {
      const chans = await Promise.all(Array.from({ length: connections }, () => ModbusChannel.openTcp(url, unitId, ctx, { log: 'none', requestTimeoutMs: 1000 })));
      let sent = 0;
      let verified = 0;
      const t0 = performance.now();
      const end = t0 + durationMs;
      try {
        await Promise.all(
          chans.map(async (ch) => {
            while (performance.now() < end && !signal?.aborted) {
              sent++;
              const r = await ch.readHolding(0, 1);
              if (r.ok && r.data.length === 1) verified++;
            }
          }),
        );
      } finally {
        await Promise.all(chans.map((c) => c.close()));
      }
      const ms = performance.now() - t0;
      return { sent, verifiedResponses: verified, achievedRate: (verified * 1000) / ms, durationMs: ms };
    },
  };
}

export async function stormDriver(ctx: ChannelContext): Promise<StormDriver> {
  const storm = await findStorm();
  if (!storm) return fallbackDriver(ctx);
  return {
    name: `harness/faults runModbusStorm (closed loop, batched writes, ${STORM_IN_FLIGHT} in flight per connection, one thread)`,
    inFlight: STORM_IN_FLIGHT,
    async run({ url, unitId, durationMs, connections, signal }) {
      const t0 = performance.now();
      const r = await storm({ url, unitId, ratePerSec: FLAT_OUT, durationMs, connections, signal, maxInFlight: STORM_IN_FLIGHT });
      const ms = typeof r.elapsedMs === 'number' && r.elapsedMs > 0 ? r.elapsedMs : performance.now() - t0;
      // Verified responses per second (not requests sent): the figure the issue asks for.
      return { sent: r.sent, verifiedResponses: r.verifiedResponses, achievedRate: (r.verifiedResponses * 1000) / ms, durationMs: ms };
    },
  };
}
