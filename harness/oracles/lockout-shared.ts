/**
 * Console endpoints the profile declares as sharing accounts (`console.endpoints.<key>.sharesAccounts`,
 * e.g. the serial line 'console' and its terminal-server port 'console-tcp') must share the
 * failure counter: N failures spread over both, each on a newly opened line, lock the account on
 * both. A device that counts per endpoint gives an attacker N-1 guesses per endpoint and lock.
 */
import { Findings, type Judgement } from '../core/finding.js';
import { isRefusal } from '../protocols/capabilities/auth-surface.js';
import type { ClosableSurface } from '../protocols/protocol.js';
import type { TargetProfile } from '../profile/target-schema.js';
import { untilUsable } from './lockout-wait.js';

export interface SharedCounterIo {
  /** The endpoints (interface name and login surface), in the order failures alternate over them. */
  endpoints: { iface: string; surface: ClosableSurface }[];
  username: string;
  good: string;
  bad: string;
  signal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  /** Evidence line per attempt, with the interface it was made on. */
  log: (text: string, iface: string) => void;
}

/** `out`: the scenario's sink (`ctx.judge`), written as findings are made. */
export async function sharedCounterCheck(p: { threshold: number; durationMs: number; toleranceMs: number }, io: SharedCounterIo, out?: Findings): Promise<Judgement<{ usable: boolean }>> {
  const f = new Findings(out);
  const names = io.endpoints.map((e) => e.iface);
  const pair = names.join('+');
  let lockAt = 0;
  for (let i = 0; i < p.threshold; i++) {
    const { iface, surface } = io.endpoints[i % io.endpoints.length]!;
    await surface.close?.().catch(() => undefined);
    lockAt = performance.now();
    const a = await surface.attempt(io.username, io.bad, io.signal);
    io.log(`[${pair}] bad #${i + 1} on ${iface} (new connection): ${a.outcome} (${a.detail})`, iface);
    if (a.outcome === 'accepted') return f.with({ usable: true });
  }
  // The good password on every endpoint: a shared counter locked the account on all of them.
  const seen: string[] = [];
  let allLocked = true;
  let refusedOn: ClosableSurface | undefined;
  for (const { iface, surface } of io.endpoints) {
    const g = await surface.attempt(io.username, io.good, io.signal);
    io.log(`[${pair}] good on ${iface} after ${p.threshold} failures spread over ${pair}: ${g.outcome} (${g.detail})`, iface);
    if (g.outcome === 'error') {
      f.verdict('INCONCLUSIVE', `no decision for the good login on ${iface} after failures spread over ${pair}: ${g.detail}`, iface);
      return f.with({ usable: false });
    }
    seen.push(`${iface}: ${g.outcome}`);
    const locked = isRefusal(g.outcome) || g.outcome === 'restricted';
    if (locked) refusedOn ??= surface;
    allLocked &&= locked;
  }
  const last = names.at(-1)!;
  f.check(`lockoutSharedCounter[${pair}]`, {
    expected: `good login refused on ${names.join(' and ')} after ${p.threshold} failures spread over them`,
    actual: seen,
    passed: allLocked,
    iface: last,
    reason: `console endpoints ${names.join(' and ')} count failures separately although the profile declares they share accounts: ${p.threshold} failed logins spread over them did not lock (${seen.join(', ')})`,
  });
  const since = () => performance.now() - lockAt;
  const w = refusedOn ? await untilUsable(refusedOn, io.username, io.good, { fromMs: p.durationMs, untilMs: 2 * (p.durationMs + p.toleranceMs), since, signal: io.signal, sleep: io.sleep }) : { accepted: true };
  return f.with({ usable: w.accepted });
}

/**
 * Pairs of console interfaces (main endpoint first) among `ifaces` that the profile declares as
 * sharing accounts: 'console' with each 'console-<key>' whose `sharesAccounts` holds.
 */
export function sharingEndpoints(t: TargetProfile, ifaces: readonly string[]): [string, string][] {
  const eps = t.interfaces.console?.endpoints ?? {};
  if (!ifaces.includes('console')) return [];
  return Object.entries(eps)
    .filter(([key, ep]) => ep.sharesAccounts && ifaces.includes(`console-${key}`))
    .map(([key]) => ['console', `console-${key}`]);
}
