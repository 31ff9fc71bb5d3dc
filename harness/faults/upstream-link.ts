/**
 * The device's upstream link as a scenario sees it: the fault proxy started on the profile's
 * `faults.upstream.proxyListen`, the positive control that the device holds a working upstream
 * session through it, and the judgement of reconnect behaviour over a fault window (attempts
 * per second while the upstream is away, time to re-establish the session after it returns).
 */
import type { ScenarioContext } from '../runner/scenario-context.js';
import type { FaultsConfig, TargetProfile } from '../profile/target-schema.js';
import type { FaultTimeline } from './fault-timeline.js';
import { faultsConfig } from './faults-config.js';
import { TcpFaultProxy } from './tcp-fault-proxy.js';

export type UpstreamConfig = NonNullable<FaultsConfig['upstream']>;

export function upstreamNotApplicable(t: TargetProfile): string | undefined {
  if (!faultsConfig(t).upstream) return 'the profile declares no upstream link to inject faults into (faults.upstream: the broker and the proxy address the device is configured to use)';
  return undefined;
}

export async function openUpstream(ctx: ScenarioContext): Promise<{ proxy: TcpFaultProxy; up: UpstreamConfig }> {
  const up = faultsConfig(ctx.target).upstream!;
  const proxy = await TcpFaultProxy.start({ listen: up.proxyListen, target: up.target, evidence: ctx.evidence, latencyMs: up.latencyMs });
  ctx.defer('close upstream fault proxy', () => proxy.close());
  // Positive control: the device reaches its upstream through the proxy (it may be in back-off from before the proxy existed).
  const t0 = performance.now();
  const at = await proxy.waitSession(t0 - 1e9, up.reconnectMs, ctx.signal);
  ctx.control('device holds an upstream session through the fault proxy', {
    passed: at !== undefined,
    actual: `${proxy.connections.length} connection attempt(s), ${proxy.connections.filter((c) => c.bytesDown > 0).length} answered by the upstream`,
    reason: `the device did not establish an upstream session through ${up.proxyListen} → ${up.target} within ${up.reconnectMs} ms (is it configured to use the proxy address?)`,
  });
  return { proxy, up };
}

/**
 * Reconnect judgement for one fault: attempts/s during the fault (mean over the window and the
 * busiest second) against the declared maximum, and the time to a working session after it.
 */
export async function judgeReconnect(ctx: ScenarioContext, proxy: TcpFaultProxy, up: UpstreamConfig, tl: FaultTimeline, prefix: string, opts: { expectReconnect: boolean }): Promise<void> {
  const w = { faultStart: tl.at('fault-start'), faultEnd: tl.at('fault-end') };
  const attempts = proxy.attemptsBetween(w.faultStart, w.faultEnd);
  const spanS = Math.max(0.001, (w.faultEnd - w.faultStart) / 1000);
  const mean = Math.round((attempts.length / spanS) * 100) / 100;
  let peak = 0;
  for (const a of attempts) peak = Math.max(peak, attempts.filter((b) => b >= a && b < a + 1000).length);
  ctx.measure(`${prefix}.connectAttempts`, attempts.length);
  ctx.measure(`${prefix}.connectAttemptsPerSec`, mean, { unit: '1/s', limits: { max: up.maxConnectAttemptsPerSec } });
  ctx.measure(`${prefix}.connectAttemptsPeakPerSec`, peak, { unit: '1/s' });
  ctx.check(`${prefix}: no reconnect storm`, {
    expected: `≤ ${up.maxConnectAttemptsPerSec} connection attempts/s`,
    actual: `${attempts.length} attempts in ${spanS.toFixed(1)} s (${mean}/s, peak ${peak} in one second)`,
    passed: mean <= up.maxConnectAttemptsPerSec,
    reason: `${prefix}: reconnect storm: ${mean} attempts/s while the upstream was away (${attempts.length} in ${spanS.toFixed(1)} s, peak ${peak}/s; declared max ${up.maxConnectAttemptsPerSec}/s)`,
  });
  const at = await proxy.waitSession(w.faultEnd, up.reconnectMs, ctx.signal);
  const rec = at === undefined ? null : Math.round(at - w.faultEnd);
  ctx.measure(`${prefix}.upstreamReconnectMs`, rec, { unit: 'ms', limits: { max: up.reconnectMs } });
  if (opts.expectReconnect) {
    ctx.check(`${prefix}: upstream session re-established`, {
      expected: `within ${up.reconnectMs} ms`,
      actual: rec === null ? 'not re-established' : `${rec} ms`,
      passed: rec !== null,
      reason: `${prefix}: the device did not re-establish its upstream session within ${up.reconnectMs} ms after the link returned`,
    });
  }
}
