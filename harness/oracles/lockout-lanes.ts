/**
 * Which lockout walks may run at the same time. A walk locks an account and waits the lock out;
 * on a device that counts failures of several interfaces together, two walks at once would corrupt
 * each other's counts. So walks overlap only where the profile declares the counters independent
 * (`policy.lockout.independentCounters`): one lane per declared group, one more for the lockout
 * interfaces in no group; walks within a lane run one after another, lanes run concurrently.
 * Console endpoints that share accounts share a counter and always end up in one lane (the profile
 * check refuses a split; the planner merges them anyway, so no profile can make them overlap).
 */
import type { TargetProfile } from '../profile/target-schema.js';
import { sharingEndpoints } from './lockout-shared.js';

/** The lanes of `ifaces` (in their order), each a list of interfaces walked one after another. */
export function lockoutLanes(t: TargetProfile, ifaces: readonly string[]): string[][] {
  const groups = t.policy.lockout?.independentCounters;
  if (!groups) return ifaces.length ? [[...ifaces]] : [];
  const laneOf = new Map<string, number>();
  for (const iface of ifaces) {
    const g = groups.findIndex((grp) => grp.includes(iface));
    laneOf.set(iface, g < 0 ? groups.length : g);
  }
  // Endpoints sharing one counter: the later one joins the earlier one's lane, with everything in it.
  for (const [a, b] of sharingEndpoints(t, ifaces)) {
    const [from, to] = [laneOf.get(b)!, laneOf.get(a)!];
    if (from !== to) for (const [i, l] of laneOf) if (l === from) laneOf.set(i, to);
  }
  const lanes = new Map<number, string[]>();
  for (const iface of ifaces) {
    const l = laneOf.get(iface)!;
    lanes.set(l, [...(lanes.get(l) ?? []), iface]);
  }
  return [...lanes.values()];
}

/**
 * Run `fn` per lane concurrently and wait for all of them (a lane that throws does not cut the
 * others short: their locks are waited out as usual); then rethrow the first error, if any.
 */
export async function runLanes(lanes: readonly string[][], fn: (lane: string[], index: number) => Promise<void>): Promise<void> {
  const settled = await Promise.allSettled(lanes.map((lane, i) => fn(lane, i)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}
