import { FaultSession, faultCycleMs, safeStateNotApplicable } from '../harness/faults/fault-session.js';
import { answersAfterStorm, runRequestStorms, stormMs, stormPlan } from '../harness/faults/request-storms.js';
import { scenario } from '../harness/runner/scenario.js';

/** Slack after the storms before the post-fault window, for the budget. */
const STORM_SLACK_MS = 5000;

/**
 * Request storms at increasing rates (Modbus request flood, MQTT publish flood, connection flood
 * on the declared open ports) while the harness keeps mastering the device and the independent
 * monitor watches: the heartbeat must keep running and the outputs hold (CR 7.1: the network
 * side may degrade, the essential function may not). Rates actually reached are measured.
 */
export default scenario({
  id: 'request-storm',
  title: 'Essential outputs and heartbeat hold during request storms at increasing rates',
  requirements: ['CPSF:L2.009', 'IEC62443-4-2:CR7.1', 'IEC62443-4-2:CR7.2', 'EN303645:5.9-1', 'EN303645:5.9-2'],
  checks: [
    'under Modbus, MQTT publish and connection floods at rising rates the heartbeat keeps running and the outputs hold (monitor)',
    'the rates actually reached are measured',
  ],
  interfaces: ['modbus-tcp'],
  changesState: true,
  notApplicableWhen: safeStateNotApplicable,
  budgetMs: (t) => 20_000 + faultCycleMs(t.policy.safeState!, stormMs(t) + STORM_SLACK_MS),
  async run(ctx) {
    const s = await ctx.judge((out) => FaultSession.open(ctx, { out }));
    const config = { before: await s.master.readConfig() } as { before: Record<string, unknown>; after: Record<string, unknown> };
    const tl = s.timeline('request-storm');
    tl.mark('fault-start', stormPlan(ctx.target));
    await ctx.judge((out) => runRequestStorms(ctx, s, out));
    tl.mark('fault-end');
    await ctx.sleep(s.safeState.recoveryMs + 1000);
    tl.mark('post-end');

    config.after = await s.master.readConfig();
    const answering = await ctx.judge((out) => answersAfterStorm(config.after, out));
    const stats = await s.sampler.stop();
    await ctx.judge((out) => s.evaluate(tl, 'hold-or-safe', { config: answering ? config : undefined, samplerStats: stats, out }));
  },
});
