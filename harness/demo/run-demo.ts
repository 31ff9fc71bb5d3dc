import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../core/result-schema.js';
import { runTargetFile } from '../cli/run-and-report.js';
import type { ProgressEvent } from '../runner/progress-reporter.js';
import { startSimInBlock, type SimInBlock } from './sim-in-block.js';

const targetsDir = fileURLToPath(new URL('../../targets/', import.meta.url));

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
  const secrets = { HIL_SIM_ADMIN_PASSWORD: demoPassword(), HIL_SIM_OPERATOR_PASSWORD: demoPassword() };
  Object.assign(process.env, secrets); // the in-process simulators read the same variables
  const profiles = ['hardened', 'weak'] as const;
  const sims: (SimInBlock & { profile: (typeof profiles)[number] })[] = [];
  try {
    for (const profile of profiles) {
      const s = await startSimInBlock({ profile, opcua: opts.opcua, preferredBase: profile === 'hardened' ? 15_000 : 16_000, avoid: sims.map((x) => x.base) });
      sims.push({ ...s, profile });
    }
    const runs = await Promise.all(
      sims.map(({ profile, targetEnv }) =>
        runTargetFile({
          targetFile: join(targetsDir, `sim-${profile}.yaml`),
          runDir: join(opts.out, `sim-${profile}`),
          scenarioIds: opts.scenarioIds,
          env: { ...process.env, ...secrets, ...targetEnv },
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
