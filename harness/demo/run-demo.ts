import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../core/result-schema.js';
import { runTarget } from '../runner/run-target.js';
import type { ProgressEvent } from '../runner/progress-reporter.js';
import { freePortBlock } from './free-port-block.js';
import { simTargetEnv } from './sim-target-env.js';

const targetsDir = fileURLToPath(new URL('../../targets/', import.meta.url));

/** Port offsets inside a simulator's block; the scan range is the block. */
const OFFSETS = { console: 23, debug: 323, modbusTcp: 502, fieldMonitor: 602, opcua: 840, mqtt: 883 } as const;
const BLOCK = 1000;

export interface DemoOptions {
  out: string;
  opcua: boolean;
  scenarioIds?: string[];
  onProgress?: (e: ProgressEvent & { target: string }) => void;
  signal?: AbortSignal;
}

export interface DemoResult {
  reports: Report[];
  runDirs: string[];
  /** True when the hardened simulator is clean and the weak one has findings, as it must. */
  asExpected: boolean;
}

/** A password that satisfies the hardened policy and is new for every demo, so nothing fixed leaks into reports. */
const demoPassword = () => `Demo-${randomBytes(9).toString('base64url')}#7`;

/**
 * `hil demo`: start the hardened and weak simulators in this process, run the scenario library
 * against both at once, and return both reports.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { startSimulator } = await import('../../simulators/gateway/index.js');
  const secrets = { HIL_SIM_ADMIN_PASSWORD: demoPassword(), HIL_SIM_OPERATOR_PASSWORD: demoPassword() };
  Object.assign(process.env, secrets); // the in-process simulators read the same variables
  const host = '127.0.0.1';
  const profiles = ['hardened', 'weak'] as const;
  const sims = [];
  try {
    const used: number[] = [];
    for (const profile of profiles) {
      const base = await freePortBlock(host, BLOCK, Object.values(OFFSETS), [profile === 'hardened' ? 15_000 : 16_000].filter((b) => !used.includes(b)));
      used.push(base);
      const ports = Object.fromEntries(Object.entries(OFFSETS).map(([k, off]) => [k, base + off]));
      sims.push({ profile, base, sim: await startSimulator({ profile, opcua: opts.opcua, host, ports, ptyDir: undefined }) });
    }
    const runs = await Promise.all(
      sims.map(({ profile, base, sim }) =>
        runTarget({
          targetFile: join(targetsDir, `sim-${profile}.yaml`),
          runDir: join(opts.out, `sim-${profile}`),
          scenarioIds: opts.scenarioIds,
          env: { ...process.env, ...secrets, ...simTargetEnv(sim.endpoints, `${base}-${base + BLOCK - 1}`), ...(opts.opcua ? {} : { HIL_SIM_OPCUA: '' }) },
          onProgress: opts.onProgress,
          signal: opts.signal,
        }),
      ),
    );
    const [hardened, weak] = runs.map((r) => r.report);
    const asExpected = hardened!.results.every((r) => r.verdict === 'PASS' || r.verdict === 'NOT_APPLICABLE') && weak!.results.some((r) => r.verdict === 'FAIL');
    return { reports: runs.map((r) => r.report), runDirs: runs.map((r) => r.runDir), asExpected };
  } finally {
    await Promise.allSettled(sims.map(({ sim }) => sim.stop()));
  }
}
