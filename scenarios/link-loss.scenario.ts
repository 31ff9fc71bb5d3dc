import { FaultSession, faultCycleMs, safeStateNotApplicable } from '../harness/faults/fault-session.js';
import { faultsConfig } from '../harness/faults/faults-config.js';
import { judgeReconnect, openUpstream, upstreamNotApplicable } from '../harness/faults/upstream-link.js';
import { scenario } from '../harness/runner/scenario.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';

/**
 * Loss of the link between the gateway and its upstream broker: the fault proxy on the upstream
 * path cuts, blackholes, delays and resets it, one mode at a time, each with pre/during/post
 * windows. The gateway must keep local control (heartbeat running, outputs holding, seen on the
 * independent monitor while the harness keeps mastering it locally), must not storm the upstream
 * with reconnects, and must re-establish the session when the link returns.
 */
export default scenario({
  id: 'link-loss',
  title: 'Local control continues and the upstream reconnects with back-off when the upstream link is cut, blackholed, delayed or reset',
  requirements: ['CPSF:L2.009', 'IEC62443-4-2:CR7.1', 'IEC62443-4-2:CR3.6', 'EN303645:5.9-1', 'EN303645:5.9-2', 'EN303645:5.9-3'],
  checks: [
    'per link fault mode (cut, blackhole, delay, reset): local control continues (monitor: heartbeat, outputs hold)',
    'no reconnect storm towards the upstream broker during the fault',
    'session re-established after the link returns',
  ],
  interfaces: ['modbus-tcp'],
  changesState: true,
  notApplicableWhen: (t) => safeStateNotApplicable(t) ?? upstreamNotApplicable(t),
  budgetMs: (t) => 20_000 + budget(t),
  async run(ctx) {
    // The local side first: a device that cannot even be mastered ends here, before any upstream wait.
    const s = await ctx.judge((out) => FaultSession.open(ctx, { out }));
    const link = await ctx.judge((out) => openUpstream(ctx, out));
    const { proxy, up } = link;
    const config = { before: await s.master.readConfig() } as { before: Record<string, unknown>; after: Record<string, unknown> };
    for (const [i, mode] of up.linkModes.entries()) {
      if (i > 0) await s.baseline();
      const tl = s.timeline(`link-loss:${mode}`);
      tl.mark('fault-start', { mode, ...(mode === 'latency' ? { latencyMs: up.latencyMs } : {}) });
      proxy.setMode(mode);
      await ctx.sleep(up.outageMs);
      proxy.setMode('pass');
      tl.mark('fault-end');
      // A delayed link need not drop the session; every other mode must end in a new one.
      await ctx.judge((out) => judgeReconnect(link, tl, mode, { expectReconnect: true, signal: ctx.signal, out }));
      const sinceEnd = s.sampler.now() - tl.at('fault-end');
      await ctx.sleep(Math.max(0, s.safeState.recoveryMs + 500 - sinceEnd));
      tl.mark('post-end');
      const last = i === up.linkModes.length - 1 ? { config: { ...config, after: await s.master.readConfig() } } : {};
      await ctx.judge((out) => s.evaluate(tl, 'hold-or-safe', { prefix: mode, ...last, out }));
    }
    await s.sampler.stop();
  },
});

function budget(t: TargetProfile): number {
  const up = faultsConfig(t).upstream;
  if (!up || !t.policy.safeState) return 0;
  return up.reconnectMs + up.linkModes.length * faultCycleMs(t.policy.safeState, up.outageMs + up.reconnectMs);
}
