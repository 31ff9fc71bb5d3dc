/**
 * One more lock of an interface, after its boundary walk, to judge what the walk cannot:
 * - the counter survives reconnecting: the N failures are each made on a NEW connection (a
 *   surface that holds a connection — a console line, OPC UA's shared secure channel — is closed
 *   before every attempt; MQTT connects per attempt anyway), then the good password must be refused;
 * - scope: during that lock another account on the same interface logs in where the lock is per
 *   account, and is refused where it is per source (or global);
 * - no extension: wrong passwords tried during the lock do not make it last beyond the declared
 *   duration plus tolerance (only when the profile declares `extendsOnAttempt: false`).
 * Each is its own check with its own steps in the evidence; a check that has no lock to observe
 * is not recorded (the reconnect FAIL says why). `out`: the scenario's sink (`ctx.judge`), written as
 * findings are made, so a throw part-way loses nothing.
 */
import { Findings, type Judgement } from '../core/finding.js';
import { isRefusal, type AuthAttempt } from '../protocols/capabilities/auth-surface.js';
import type { ClosableSurface } from '../protocols/protocol.js';
import { untilUsable } from './lockout-wait.js';

export interface EpisodePolicy {
  threshold: number;
  durationMs: number;
  toleranceMs: number;
  scope: 'account' | 'source' | 'global';
  extendsOnAttempt: boolean;
}

export interface EpisodeIo {
  surface: ClosableSurface;
  iface: string;
  username: string;
  good: string;
  bad: string;
  /** Another account declared on this interface, for the scope check (none: scope not checked). */
  other?: { username: string; password: string };
  signal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  /** Evidence line per attempt. */
  log: (text: string) => void;
}

export interface EpisodeResult {
  /** The account was seen to log in again at the end (false: it may still be locked). */
  usable: boolean;
  /** When the lock began (ms, performance.now()), when one was seen. */
  lockAt?: number;
}

/** The surface reconnects per attempt itself (MQTT) unless it holds a connection open (a console line, an OPC UA channel). */
export const holdsConnection = (s: ClosableSurface): boolean => typeof s.close === 'function';

export async function lockEpisode(p: EpisodePolicy, io: EpisodeIo, out?: Findings): Promise<Judgement<EpisodeResult>> {
  const f = new Findings(out);
  const { iface, surface } = io;
  const reopen = holdsConnection(surface);
  const attempt = async (label: string, user: string, password: string): Promise<AuthAttempt & { startedAt: number }> => {
    if (reopen && label.startsWith('reconnect')) await surface.close!().catch(() => undefined);
    const startedAt = performance.now();
    const a = await surface.attempt(user, password, io.signal);
    io.log(`[${iface}] ${label}: ${a.outcome} (${a.detail})`);
    return { ...a, startedAt };
  };

  // 1. N failures, each on a new connection, then the good password.
  const how = reopen ? 'with the line closed and reopened before each' : 'each on its own connection';
  f.note(`[${iface}] ${p.threshold} failed logins ${how}, then the good password`);
  let lastBad = 0;
  for (let i = 1; i <= p.threshold; i++) {
    const b = await attempt(`reconnect bad #${i} (new connection)`, io.username, io.bad);
    lastBad = b.startedAt;
    if (b.outcome === 'accepted') return f.with({ usable: true });
  }
  const g = await attempt(`reconnect good after ${p.threshold} failures`, io.username, io.good);
  if (g.outcome === 'error') {
    f.verdict('INCONCLUSIVE', `no decision for the good login after ${p.threshold} failures over new connections on ${iface}: ${g.detail}`, iface);
    return f.with({ usable: false });
  }
  const locked = isRefusal(g.outcome) || g.outcome === 'restricted';
  f.check(`lockoutSurvivesReconnect[${iface}]`, {
    expected: `good login refused after ${p.threshold} failures ${how}`,
    actual: `${g.outcome}: ${g.detail}`,
    passed: locked,
    iface,
    reason: `failure counter on ${iface} does not survive reconnecting: ${p.threshold} failed logins ${how}, then the good password was accepted`,
  });
  if (!locked) return f.with({ usable: true });
  // The N-th failure may be processed any time during its attempt: date the lock from its start.
  const lockAt = lastBad;

  // 2. Scope: another account on the same interface during the lock.
  if (io.other) {
    const o = await attempt(`another account (${io.other.username}) during the lock`, io.other.username, io.other.password);
    if (o.outcome !== 'error') {
      const accepted = o.outcome === 'accepted';
      const perAccount = p.scope === 'account';
      f.check(`lockoutScope[${iface}]`, {
        expected: perAccount ? `${io.other.username} still logs in while ${io.username} is locked (scope: account)` : `${io.other.username} refused while the ${p.scope} is locked (scope: ${p.scope})`,
        actual: `${o.outcome}: ${o.detail}`,
        passed: perAccount ? accepted : !accepted,
        iface,
        reason: perAccount
          ? `lock on ${iface} is not per account: ${io.other.username} is refused while ${io.username} is locked (${o.detail}), so failed guesses lock other users out (declared scope: account)`
          : `lock on ${iface} is per account, not per ${p.scope}: ${io.other.username} still logs in from the same source during the lock (declared scope: ${p.scope})`,
      });
    } else f.note(`[${iface}] lock scope not judged: no decision for ${io.other.username} (${o.detail})`);
  } else f.note(`[${iface}] lock scope not checked: the profile declares no second account on ${iface}`);

  // 3. Extension: wrong passwords during the lock, then the good login from T until T + tolerance.
  const since = () => performance.now() - lockAt;
  if (!p.extendsOnAttempt) {
    // The last wrong password must reach the device before T: sent ahead by what a refused attempt takes.
    const lead = Math.max(200, 2 * g.durationMs);
    let tried = 0;
    while (since() + lead < p.durationMs && tried < p.threshold + 2) {
      const gap = Math.max(0, Math.min((p.durationMs - lead - since()) / 2, p.durationMs / 3));
      if (tried > 0 && gap > 0) await io.sleep(Math.ceil(gap));
      if (since() + lead >= p.durationMs) break;
      await attempt(`bad during the lock #${++tried} at ${Math.round(since())} ms`, io.username, io.bad);
    }
    const end = p.durationMs + p.toleranceMs;
    // Polled until an attempt has begun past the end: only a refusal there proves the lock extended.
    const poll = 250;
    const back = tried ? await untilUsable(surface, io.username, io.good, { fromMs: p.durationMs, untilMs: end + poll, since, signal: io.signal, sleep: io.sleep, pollMs: poll, probeAfterMs: end }) : undefined;
    // A wait the harness cut short (cancelled, out of budget) observed nothing: never a device FAIL.
    io.signal.throwIfAborted();
    if (!tried) f.note(`[${iface}] extension not checked: the lock of ${p.durationMs} ms left no time for an attempt before it ends`);
    else {
      f.note(`[${iface}] after ${tried} wrong password(s) during the lock: ${back!.accepted ? `logs in again ${back!.atMs} ms after the lock began` : `still refused ${back!.atMs} ms after the lock began (${back!.detail})`}`);
      const inTime = back!.accepted && back!.atMs <= end;
      const provenLate = (back!.refusedAtMs ?? -1) > end;
      f.check(`lockoutNotExtended[${iface}]`, {
        expected: `good login works again within ${p.durationMs} ms + ${p.toleranceMs} ms of the lock, whatever is tried during it`,
        actual: back!.accepted ? `accepted at ${back!.atMs} ms` : `${back!.detail} at ${back!.atMs} ms`,
        passed: inTime,
        iface,
        // The harness late (no attempt in the window, or none refused past its end): nothing proven.
        ...(inTime || provenLate ? {} : { onFail: 'INCONCLUSIVE' as const }),
        reason: provenLate
          ? `lock on ${iface} extended by attempts: ${tried} wrong password(s) during the lock kept the good password refused ${back!.refusedAtMs} ms after the lock began (declared ${p.durationMs} ms + ${p.toleranceMs} ms, not extended)`
          : `lock extension on ${iface} not decided: last refused ${back!.refusedAtMs ?? '?'} ms after the lock began, ${back!.accepted ? `accepted ${back!.atMs} ms after` : `then ${back!.detail}`}; no attempt between them shows whether it ended by ${end} ms (the gap is the harness's, not the device's)`,
      });
      if (back!.accepted) return f.with({ usable: true, lockAt });
    }
  } else f.note(`[${iface}] extension not checked: the profile declares that attempts during the lock restart it (policy.lockout.extendsOnAttempt)`);

  // 4. Leave the account usable: wait out the lock (an extended one included), bounded by the declared timings.
  const bound = 2 * (p.durationMs + p.toleranceMs);
  const w = await untilUsable(surface, io.username, io.good, { fromMs: 0, untilMs: since() + bound, since, signal: io.signal, sleep: io.sleep });
  f.note(`[${iface}] ${io.username} ${w.accepted ? 'logs in again' : `still refused (${w.detail})`} ${w.atMs} ms after the lock began`);
  return f.with({ usable: w.accepted, lockAt });
}
