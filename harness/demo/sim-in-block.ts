import type { SimConfigOverrides } from '../../simulators/gateway/sim-config.js';
import type { Simulator, SimProfileName } from '../../simulators/gateway/index.js';
import { freePortBlock } from './free-port-block.js';
import { simTargetEnv } from './sim-target-env.js';

/** Port offsets inside a simulator's block; the scan range of its target is the block. */
export const SIM_PORT_OFFSETS = { console: 23, debug: 323, modbusTcp: 502, fieldMonitor: 602, opcua: 840, mqtt: 883 } as const;
export const SIM_BLOCK = 1000;

export interface SimInBlock {
  sim: Simulator;
  base: number;
  /** Environment that points targets/sim-*.yaml at this simulator. */
  targetEnv: Record<string, string>;
}

/**
 * Start a simulator whose ports all sit in one free block of 1000, so a port scan of the block
 * sees this simulator and nothing else on the shared loopback.
 */
export async function startSimInBlock(opts: {
  profile: SimProfileName;
  config?: SimConfigOverrides;
  opcua?: boolean;
  preferredBase?: number;
  avoid?: number[];
  /** Console and Modbus RTU on socat ptys; default: when socat is installed. */
  ptys?: boolean;
}): Promise<SimInBlock> {
  const { startSimulator } = await import('../../simulators/gateway/index.js');
  const host = '127.0.0.1';
  for (let attempt = 0; ; attempt++) {
    // Blocks stay below 32768, the start of Linux's ephemeral port range: a scan of a block that
    // overlaps it races with the kernel handing those ports to outgoing connections.
    const preferred = [opts.preferredBase, ...Array.from({ length: 8 }, () => 20_000 + SIM_BLOCK * Math.floor(Math.random() * 12))]
      .filter((b): b is number => b !== undefined && !(opts.avoid ?? []).includes(b));
    const base = await freePortBlock(host, SIM_BLOCK, Object.values(SIM_PORT_OFFSETS), preferred);
    const ports = Object.fromEntries(Object.entries(SIM_PORT_OFFSETS).map(([k, off]) => [k, base + off]));
    try {
      const sim = await startSimulator({ profile: opts.profile, config: opts.config, opcua: opts.opcua ?? true, host, ports, ptys: opts.ptys });
      const targetEnv = simTargetEnv(sim.endpoints, `${base}-${base + SIM_BLOCK - 1}`);
      return { sim, base, targetEnv };
    } catch (e) {
      // Another process may have taken a port between the check and the bind: try another block.
      if (attempt >= 3 || !/EADDRINUSE/.test(String((e as Error).message))) throw e;
    }
  }
}
