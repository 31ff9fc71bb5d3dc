/**
 * A profile that declares no lockout: CPSF L2.007 requires one, so the interface is probed with a
 * reference threshold. The good password still accepted after `n` failures is a FAIL (no lockout);
 * refused means some lock the profile does not describe, which cannot be measured without
 * declared values: INCONCLUSIVE, asking the lab to declare it.
 */
import { Findings, type Judgement } from '../core/finding.js';
import { isRefusal, type AuthSurface } from '../protocols/capabilities/auth-surface.js';

export interface UndeclaredProbeIo {
  surface: AuthSurface;
  iface: string;
  username: string;
  good: string;
  bad: string;
  signal: AbortSignal;
}

/** `locked`: the good password was refused after the failures (the account may be locked now). */
export async function undeclaredLockProbe(n: number, io: UndeclaredProbeIo, out?: Findings): Promise<Judgement<{ locked: boolean }>> {
  const f = new Findings(out);
  const { iface, surface } = io;
  const c = await surface.attempt(io.username, io.good, io.signal);
  if (!f.control(`good login works on ${iface}`, { passed: c.outcome === 'accepted', actual: c.detail, iface, reason: `positive control failed on ${iface}: ${c.detail}` })) return f.halted();
  for (let i = 1; i <= n; i++) {
    const b = await surface.attempt(io.username, io.bad, io.signal);
    if (b.outcome === 'accepted') f.verdict('FAIL', `wrong password accepted on ${iface}: there is no authentication to lock`, iface);
    else if (b.outcome === 'error') f.verdict('INCONCLUSIVE', `no decision for failed login #${i} on ${iface}: ${b.detail}`, iface);
    else continue;
    return f.with({ locked: false });
  }
  const g = await surface.attempt(io.username, io.good, io.signal);
  const locked = isRefusal(g.outcome) || g.outcome === 'restricted';
  if (g.outcome === 'accepted') f.verdict('FAIL', `the profile declares no lockout and the good password is still accepted on ${iface} after ${n} failed logins (no lockout)`, iface);
  else if (locked) f.verdict('INCONCLUSIVE', `the good password is refused on ${iface} after ${n} failed logins, but the profile declares no lockout: declare policy.lockout to measure it`, iface);
  else f.verdict('INCONCLUSIVE', `no decision for the good login after ${n} failures on ${iface}: ${g.detail}`, iface);
  return f.with({ locked });
}
