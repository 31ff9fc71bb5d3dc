import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../core/module-tree.js';
import type { Report } from '../core/result-schema.js';
import { runTargetFile } from '../cli/run-and-report.js';
import type { ProgressEvent } from '../runner/progress-event.js';
import { serveBrokerControl, type BrokerControl } from './broker-control.js';
import { demoAsExpected, type DemoProfile } from './demo-expectation.js';
import { startSimChild, type SimChild } from './sim-child.js';
import { freeLoopbackPort, startUpstreamBroker, type UpstreamBroker } from './upstream-broker.js';

const targetsDir = join(repoRoot, 'targets');

export interface DemoOptions {
  out: string;
  opcua: boolean;
  scenarioIds?: string[];
  /** Run the hostile simulator alone instead of hardened and weak. */
  hostile?: boolean;
  /** Force the embedded upstream broker even when Mosquitto is installed (tests of the fallback). */
  upstream?: 'mosquitto' | 'aedes';
  onProgress?: (e: ProgressEvent & { target: string }) => void;
  /** The demo's own status lines (what it started, where the logs are). */
  onStatus?: (line: string) => void;
  signal?: AbortSignal;
  /** Environment for the simulators and the runs (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface DemoResult {
  reports: Report[];
  runDirs: string[];
  /** Simulator and broker log files (library output lands here, never on the terminal). */
  logFiles: string[];
  /** True when every verdict is what the profile must give (see demo-expectation.ts). */
  asExpected: boolean;
  /** Why not, per scenario. */
  unexpected: string[];
}

/** A password that satisfies the hardened policy and is new for every demo, so nothing fixed leaks into reports. */
const demoPassword = () => `Demo-${randomBytes(9).toString('base64url')}#7`;

interface Bench {
  profile: DemoProfile;
  sim: SimChild;
  broker?: UpstreamBroker;
  control?: BrokerControl;
  upstreamEnv: Record<string, string>;
}

/**
 * `hil demo`: each simulator in its own child process (so neither the other simulator nor the
 * harness can stall it), each with an upstream broker the demo controls reached through the
 * scenario's fault proxy (so link-loss and broker-outage run); the scenario library against all
 * of them at once; every child and broker stopped whatever happens.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  const secrets = { HIL_SIM_ADMIN_PASSWORD: demoPassword(), HIL_SIM_OPERATOR_PASSWORD: demoPassword() };
  const env = { ...(opts.env ?? process.env), ...secrets };
  const profiles: DemoProfile[] = opts.hostile ? ['hostile'] : ['hardened', 'weak'];
  const benches: Bench[] = [];
  const logFiles: string[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  try {
    for (const profile of profiles) {
      let upstreamUrl: string | undefined;
      let upstreamEnv: Record<string, string> = { HIL_SIM_UPSTREAM_ENABLED: 'false' };
      let broker: UpstreamBroker | undefined;
      let control: BrokerControl | undefined;
      if (profile !== 'hostile') {
        const brokerLog = join(out, `upstream-${profile}.log`);
        logFiles.push(brokerLog);
        broker = await startUpstreamBroker({ dir: out, logFile: brokerLog, prefer: opts.upstream });
        cleanup.push(() => broker!.close());
        control = await serveBrokerControl(broker);
        cleanup.push(() => control!.close());
        // The simulator's upstream address is the fault proxy's, which the scenarios open when they need it.
        const proxyPort = await freeLoopbackPort();
        upstreamUrl = `mqtt://127.0.0.1:${proxyPort}`;
        upstreamEnv = {
          HIL_SIM_UPSTREAM_ENABLED: 'true',
          HIL_SIM_UPSTREAM_BROKER: `tcp://127.0.0.1:${broker.port}`,
          HIL_SIM_UPSTREAM_PROXY: `tcp://127.0.0.1:${proxyPort}`,
          HIL_SIM_UPSTREAM_STOP: control.stopCommand,
          HIL_SIM_UPSTREAM_START: control.startCommand,
        };
        opts.onStatus?.(`upstream broker for sim-${profile}: ${broker.kind === 'mosquitto' ? 'Mosquitto' : 'embedded (aedes; install mosquitto for the real one)'} on 127.0.0.1:${broker.port}, reached through the fault proxy at 127.0.0.1:${proxyPort}`);
      }
      const logFile = join(out, `sim-${profile}.log`);
      logFiles.push(logFile);
      const sim = await startSimChild({
        profile,
        opcua: opts.opcua,
        logFile,
        upstreamUrl,
        preferredBase: { hardened: 15_000, weak: 16_000, hostile: 17_000 }[profile],
        avoid: benches.map((b) => b.sim.base),
        env,
      });
      cleanup.push(() => sim.stop());
      opts.onStatus?.(`simulator ${profile}: process ${sim.pid}, ports ${sim.base}-${sim.base + 999}, log ${logFile}`);
      if (!sim.endpoints.console.pty) opts.onStatus?.(`simulator ${profile}: socat not found: console over TCP only, no Modbus RTU (install socat: npm run setup)`);
      benches.push({ profile, sim, broker, control, upstreamEnv });
    }
    const runs = await Promise.all(
      benches.map(({ profile, sim, upstreamEnv }) =>
        runTargetFile({
          targetFile: join(targetsDir, `sim-${profile}.yaml`),
          runDir: join(out, `sim-${profile}`),
          scenarioIds: opts.scenarioIds,
          env: { ...env, ...sim.targetEnv, ...upstreamEnv },
          onProgress: opts.onProgress,
          signal: opts.signal,
        }),
      ),
    );
    const reports = runs.map((r) => r.report);
    const unexpected = benches.flatMap((b, i) => demoAsExpected(b.profile, reports[i]!));
    return { reports, runDirs: runs.map((r) => r.runDir), logFiles, asExpected: unexpected.length === 0, unexpected };
  } finally {
    // Simulators first (they hold connections to the brokers), then brokers and their control.
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  }
}
