/**
 * The device's upstream link as a scenario sees it: the fault proxy started on the profile's
 * `faults.upstream.proxyListen`, the positive control that the device holds a working upstream
 * session through it, and the judgement of reconnect behaviour over a fault window (attempts
 * per second while the upstream is away, time to re-establish the session after it returns).
 * Both return findings; the scenario records them.
 */
import { Findings, type Judgement } from '../core/finding.js';
import type { FaultsConfig, TargetProfile } from '../profile/target-schema.js';
import type { FaultScene } from './fault-scene.js';
import type { FaultTimeline } from './fault-timeline.js';
import { faultsConfig } from './faults-config.js';
import { TcpFaultProxy } from './tcp-fault-proxy.js';

export type UpstreamConfig = NonNullable<FaultsConfig['upstream']>;

export interface UpstreamLink {
  proxy: TcpFaultProxy;
  up: UpstreamConfig;
}

export function upstreamNotApplicable(t: TargetProfile): string | undefined {
  if (!faultsConfig(t).upstream) return 'the profile declares no upstream link to inject faults into (faults.upstream: the broker and the proxy address the device is configured to use)';
  return undefined;
}

/** Why the upstream broker cannot be stopped and started (broker outage), or undefined. */
export function upstreamControlNotApplicable(t: TargetProfile): string | undefined {
  return upstreamNotApplicable(t) ?? (faultsConfig(t).upstream!.control ? undefined : 'the profile does not declare how to stop and start the upstream broker (faults.upstream.control)');
}

/** Starts the fault proxy (closed at teardown) and takes the positive control; the link is the value when it held. `out`: the scenario's sink. */
export async function openUpstream(scene: FaultScene, out?: Findings): Promise<Judgement<UpstreamLink>> {
  const up = faultsConfig(scene.target).upstream!;
  const proxy = await TcpFaultProxy.start({ listen: up.proxyListen, target: up.target, evidence: scene.evidence, latencyMs: up.latencyMs });
  scene.defer('close upstream fault proxy', () => proxy.close());
  // Positive control: the device reaches its upstream through the proxy (it may be in back-off from before the proxy existed).
  const t0 = performance.now();
  const at = await proxy.waitSession(t0 - 1e9, up.reconnectMs, scene.signal);
  const f = new Findings(out);
  const held = f.control('device holds an upstream session through the fault proxy', {
    passed: at !== undefined,
    actual: `${proxy.connections.length} connection attempt(s), ${proxy.connections.filter((c) => c.bytesDown > 0).length} answered by the upstream`,
    reason: `the device did not establish an upstream session through ${up.proxyListen} → ${up.target} within ${up.reconnectMs} ms (is it configured to use the proxy address?)`,
  });
  return f.with(held ? { proxy, up } : undefined);
}

/**
 * Reconnect judgement for one fault: attempts/s during the fault (mean over the window and the
 * busiest second) against the declared maximum, and the time to a working session after it.
 * `opts.out`: the scenario's sink (a storm proven before the reconnect wait throws stays proven).
 */
export async function judgeReconnect(link: UpstreamLink, tl: FaultTimeline, prefix: string, opts: { expectReconnect: boolean; signal: AbortSignal; out?: Findings }): Promise<Judgement> {
  const { proxy, up } = link;
  const f = new Findings(opts.out);
  const w = { faultStart: tl.at('fault-start'), faultEnd: tl.at('fault-end') };
  const attempts = proxy.attemptsBetween(w.faultStart, w.faultEnd);
  const spanS = Math.max(0.001, (w.faultEnd - w.faultStart) / 1000);
  const mean = Math.round((attempts.length / spanS) * 100) / 100;
  let peak = 0;
  for (const a of attempts) peak = Math.max(peak, attempts.filter((b) => b >= a && b < a + 1000).length);
  f.measure(`${prefix}.connectAttempts`, attempts.length);
  // Declared with its limit: above the declared maximum is a reconnect storm, and the reason says so.
  f.measure(`${prefix}.connectAttemptsPerSec`, mean, {
    unit: '1/s',
    limits: { max: up.maxConnectAttemptsPerSec },
    failReason: `${prefix}: reconnect storm: ${mean} attempts/s while the upstream was away (${attempts.length} in ${spanS.toFixed(1)} s, peak ${peak}/s; declared max ${up.maxConnectAttemptsPerSec}/s)`,
  });
  f.measure(`${prefix}.connectAttemptsPeakPerSec`, peak, { unit: '1/s' });
  const at = await proxy.waitSession(w.faultEnd, up.reconnectMs, opts.signal);
  const rec = at === undefined ? null : Math.round(at - w.faultEnd);
  f.measure(`${prefix}.upstreamReconnectMs`, rec, { unit: 'ms', limits: { max: up.reconnectMs } });
  if (opts.expectReconnect) {
    f.check(`${prefix}: upstream session re-established`, {
      expected: `within ${up.reconnectMs} ms`,
      actual: rec === null ? 'not re-established' : `${rec} ms`,
      passed: rec !== null,
      reason: `${prefix}: the device did not re-establish its upstream session within ${up.reconnectMs} ms after the link returned`,
    });
  }
  return f;
}
