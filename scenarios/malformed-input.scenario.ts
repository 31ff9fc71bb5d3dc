import { FaultSession, faultCycleMs, safeStateNotApplicable } from '../harness/faults/fault-session.js';
import { malformedInterfaces, openMalformed, REACTION_WINDOW_MS, runMalformedCases } from '../harness/faults/malformed-input.js';
import { scenario } from '../harness/runner/scenario.js';

/** Upper bound on the cases of all interfaces together, for the budget. */
const MAX_CASES = 40;

/**
 * Malformed input on every interface whose protocol offers robustness probes (Modbus TCP frames,
 * RTU bad CRC, malformed MQTT packets, an oversized payload, binary noise on the console). After
 * each case the device must answer a valid request on that interface again within its declared
 * recovery time (positive control), and throughout, the independent monitor must show the
 * heartbeat running and the outputs holding.
 */
export default scenario({
  id: 'malformed-input',
  title: 'The device keeps running and answering after malformed frames, packets and console noise',
  requirements: ['CPSF:L2.009', 'CPSF:L2.021', 'IEC62443-4-2:CR3.5', 'IEC62443-4-2:CR3.6', 'IEC62443-4-2:CR7.1', 'EN303645:5.13-1', 'EN303645:5.9-2'],
  checks: [
    'each malformed case (Modbus frames, RTU bad CRC, malformed MQTT, oversized payload, console noise) is followed by a valid request answered within the recovery time',
    'the independent monitor shows the heartbeat running and the outputs holding throughout',
  ],
  interfaces: ['modbus-tcp'],
  changesState: true,
  notApplicableWhen: safeStateNotApplicable,
  budgetMs: (t) => 30_000 + faultCycleMs(t.policy.safeState!, MAX_CASES * (REACTION_WINDOW_MS + 500)),
  async run(ctx) {
    const s = await ctx.judge((out) => FaultSession.open(ctx, { out }));
    const config = { before: await s.master.readConfig() } as { before: Record<string, unknown>; after: Record<string, unknown> };
    const tl = s.timeline('malformed-input');
    tl.mark('fault-start');
    for (const m of malformedInterfaces(ctx)) {
      const session = await openMalformed(ctx, m);
      // A case that FAILed stays a FAIL when a later case throws (the device closed the socket).
      await ctx.judge((out) => runMalformedCases(ctx, m.iface, session, s.safeState.recoveryMs, out));
    }
    tl.mark('fault-end');
    await ctx.sleep(s.safeState.recoveryMs + 1000);
    tl.mark('post-end');
    config.after = await s.master.readConfig();
    const stats = await s.sampler.stop();
    await ctx.judge((out) => s.evaluate(tl, 'hold-or-safe', { config, samplerStats: stats, out }));
  },
});
