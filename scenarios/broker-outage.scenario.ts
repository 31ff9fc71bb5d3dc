import { FaultSession, faultCycleMs, safeStateNotApplicable } from '../harness/faults/fault-session.js';
import { faultsConfig } from '../harness/faults/faults-config.js';
import { describeAction, labActionBoundMs, runLabAction } from '../harness/faults/lab-action.js';
import { judgeReconnect, openUpstream, upstreamControlNotApplicable } from '../harness/faults/upstream-link.js';
import { scenario } from '../harness/runner/scenario.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';

/**
 * The upstream broker stops and later returns (EN 303 645 5.9-3). The gateway must keep local
 * control (monitor: heartbeat, outputs), reconnect with back-off and no reconnect storm (its
 * connection attempts per second are counted at the fault proxy on the upstream path), and
 * re-establish its session after the broker is back.
 */
export default scenario({
  id: 'broker-outage',
  title: 'Local control continues and reconnects back off while the upstream broker is down',
  requirements: ['CPSF:L2.009', 'IEC62443-4-2:CR7.1', 'EN303645:5.9-1', 'EN303645:5.9-2', 'EN303645:5.9-3'],
  checks: [
    'local control continues while the upstream broker is down (monitor: heartbeat runs, outputs hold)',
    'reconnects with back-off: connection attempts per second to the upstream stay under the limit (no reconnect storm)',
    'session re-established and telemetry delivered after the broker returns',
  ],
  interfaces: ['modbus-tcp'],
  changesState: true,
  notApplicableWhen: (t) => safeStateNotApplicable(t) ?? upstreamControlNotApplicable(t),
  budgetMs: (t) => 20_000 + budget(t),
  async run(ctx) {
    // The local side first: a device that cannot even be mastered ends here, before any upstream wait.
    const s = await ctx.judge((out) => FaultSession.open(ctx, { out }));
    const link = await ctx.judge((out) => openUpstream(ctx, out));
    const up = link.up;
    const control = up.control!;
    const config = { before: await s.master.readConfig() } as { before: Record<string, unknown>; after: Record<string, unknown> };
    const tl = s.timeline('broker-outage');

    let stopped = false;
    ctx.defer('make sure the upstream broker runs again', async () => { if (stopped) await runLabAction(control.start); });
    tl.mark('fault-start', { stop: describeAction(control.stop) });
    await runLabAction(control.stop, ctx.signal);
    stopped = true;
    await ctx.sleep(up.outageMs);
    await runLabAction(control.start, ctx.signal);
    stopped = false;
    tl.mark('fault-end', { start: describeAction(control.start) });

    await ctx.judge((out) => judgeReconnect(link, tl, 'outage', { expectReconnect: true, signal: ctx.signal, out }));
    const sinceEnd = s.sampler.now() - tl.at('fault-end');
    await ctx.sleep(Math.max(0, s.safeState.recoveryMs + 500 - sinceEnd));
    tl.mark('post-end');
    config.after = await s.master.readConfig();
    const stats = await s.sampler.stop();
    await ctx.judge((out) => s.evaluate(tl, 'hold-or-safe', { config, samplerStats: stats, out }));
  },
});

function budget(t: TargetProfile): number {
  const up = faultsConfig(t).upstream;
  if (!up || !t.policy.safeState) return 0;
  const control = up.control ? labActionBoundMs(up.control.stop) + labActionBoundMs(up.control.start) : 0;
  return up.reconnectMs + faultCycleMs(t.policy.safeState, up.outageMs + up.reconnectMs) + control;
}
