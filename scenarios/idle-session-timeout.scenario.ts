/**
 * Idle sessions end (CPSF L2.006 session end; IEC 62443-4-2 CR 2.5/2.6): on every interface whose
 * protocol has an idle-session probe (the console), log in (the positive control proves the session
 * works), stay silent for the declared idle timeout plus a margin, and judge by effect that the
 * session no longer runs commands. The measured idle time runs from our last byte to the message.
 *
 * Wait: idleTimeoutMs + margin, margin = max(1 s, 25 % of the timeout) (the profile declares no
 * tolerance for it); the measurement's limit is the same bound.
 *
 * A profile without idleTimeoutMs declares sessions that never time out. L2.006 (and JUSTIN's
 * reading of EN 303 645, where an infinite timeout fails) wants sessions to end, so that is a
 * FAIL on the declaration, with no probing: there is no declared value to wait for.
 */
import { interfacesOffering } from '../harness/protocols/registry.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';

/** Harness work around the device operations. */
const HARNESS_SLACK_MS = 10_000;
const noIdleTimeout = (iface: string) => `the profile declares no idle timeout (policy.idleTimeoutMs): an idle ${iface} session never ends`;

export function idleMarginMs(timeoutMs: number): number {
  return Math.max(1_000, Math.round(timeoutMs / 4));
}

function budgetMs(t: TargetProfile): number {
  const idle = t.policy.idleTimeoutMs;
  const wait = idle === undefined ? 0 : idle + idleMarginMs(idle);
  return interfacesOffering(t, 'idleSession').reduce((ms, { capability }) => ms + capability.boundMs(t) + wait, HARNESS_SLACK_MS);
}

export default scenario({
  id: 'idle-session-timeout',
  title: 'An idle console session ends within the declared idle timeout',
  requirements: ['CPSF:L2.006', 'IEC62443-4-2:CR2.5', 'IEC62443-4-2:CR2.6', 'NISTIR8259A:LAI-2'],
  checks: [
    'positive control: a fresh login runs a command',
    'an idle session stops running commands within the declared idle timeout plus margin (measured from the last byte)',
    'a profile declaring no idle timeout is a FAIL (sessions that never end)',
  ],
  interfaces: { capability: 'idleSession' },
  changesState: false,
  budgetMs,
  async run(ctx) {
    const idleTimeoutMs = ctx.target.policy.idleTimeoutMs;
    const offering = interfacesOffering(ctx.target, 'idleSession');
    if (idleTimeoutMs === undefined) {
      for (const { iface } of offering) ctx.fail(noIdleTimeout(iface), iface);
      return;
    }
    const wait = { idleTimeoutMs, marginMs: idleMarginMs(idleTimeoutMs) };
    const concurrent = ctx.target.policy.independentIdleSessions && offering.length > 1;
    if (concurrent) ctx.log(`idle sessions on ${offering.map((o) => o.iface).join(', ')} at the same time (policy.independentIdleSessions)`);
    await ctx.forEachInterface(
      offering.map((o) => o.iface),
      async (iface) => {
        const cap = offering.find((o) => o.iface === iface)!.capability;
        // The least-privileged account declared on this interface; NOT_APPLICABLE there without one.
        const account = ctx.account(iface);
        await ctx.judge((out) => cap.probe(ctx.target, iface, account, wait, ctx, out));
      },
      { concurrent },
    );
  },
});
