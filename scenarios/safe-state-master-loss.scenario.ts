import { FaultSession, faultCycleMs, preWindowMs, safeStateNotApplicable, type SafeStatePolicy } from '../harness/faults/fault-session.js';
import { safeStateDeadlineMs } from '../harness/profile/safe-state-timing.js';
import { scenario } from '../harness/runner/scenario.js';

/**
 * Measure 6 (issue 8) / issue 5 master loss: the harness is the Modbus master; it goes silent.
 * The independent monitor must show the outputs at their declared safe values within the
 * declared reaction time, the heartbeat continuing, and recovery when the master returns.
 */
export default scenario({
  id: 'safe-state-master-loss',
  title: 'Outputs go to the declared safe state when the master goes silent, and recover when it returns',
  requirements: ['CPSF:L2.009', 'CPSF:L2.021', 'IEC62443-4-2:CR7.1', 'IEC62443-4-2:CR3.6', 'EN303645:5.9-1', 'EN303645:5.9-2'],
  checks: [
    'after the master goes silent, the outputs reach their declared safe values within the reaction time (monitor), not holding their last value',
    'the heartbeat keeps running during the safe state',
    'the device recovers when the master returns',
  ],
  interfaces: ['modbus-tcp'],
  changesState: true,
  notApplicableWhen: safeStateNotApplicable,
  budgetMs: (t) => 20_000 + faultCycleMs(t.policy.safeState!, faultMs(t.policy.safeState!)),
  async run(ctx) {
    const s = await ctx.judge((out) => FaultSession.open(ctx, { out }));
    const ss = s.safeState;
    const config = { before: await s.master.readConfig() } as { before: Record<string, unknown>; after: Record<string, unknown> };
    const tl = s.timeline('master-loss');

    // Fault: the master stops polling and writing; the silence starts at the end of its last request.
    const silentFrom = await s.master.pause();
    tl.mark('fault-start', { lastMasterRequest: 'end', watchdogMs: ss.watchdogMs, reactionMs: ss.reactionMs }, silentFrom);
    await ctx.sleep(faultMs(ss) - (s.sampler.now() - silentFrom));

    // The master returns: its first request ends the fault.
    tl.mark('fault-end', {}, s.master.resume());
    await ctx.sleep(ss.recoveryMs + 1000);
    tl.mark('post-end');
    config.after = await s.master.readConfig();
    const stats = await s.sampler.stop();
    await ctx.judge((out) => s.evaluate(tl, 'safe-state', { config, samplerStats: stats, out }));
  },
});

/** Long enough to see the reaction and then the safe state holding. */
function faultMs(ss: SafeStatePolicy): number {
  return safeStateDeadlineMs(ss) + preWindowMs(ss);
}
