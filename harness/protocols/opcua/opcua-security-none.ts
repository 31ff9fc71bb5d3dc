import type { Findings, Judgement } from '../../core/finding.js';
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { OpcuaInterface, TargetProfile } from '../../profile/target-schema.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { ProbeRun } from '../capabilities/probe-run.js';
import { ChannelError } from '../transport/channel.js';
import { OpcuaChannel } from './opcua-channel.js';

/** Outcome of trying to really use a SecurityPolicy None channel. */
interface NoneSessionCheck {
  /** 'activated': a session over None worked; 'refused': the server said no; 'undecided': no server answer. */
  outcome: 'activated' | 'refused' | 'undecided';
  detail: string;
}

const SECURITY_REJECTED = /^BadSecurity(Mode|Policy)Rejected$|^BadSecurityChecksFailed$/;

/**
 * Open a None/None secure channel and try to activate a session over it. Many servers allow None
 * for discovery only, so the channel opening proves nothing; the session decides. Anonymous first
 * (no secret on an unencrypted channel); only when the server refuses the IDENTITY rather than the
 * security mode, the least-privileged account is tried. The endpoint is injected when not
 * advertised, so the server's own answer is what counts (node-opcua would refuse locally).
 */
async function tryNoneSession(cfg: OpcuaInterface, acct: ResolvedAccount | undefined, run: Pick<ProbeRun, 'channelCtx'>): Promise<NoneSessionCheck> {
  let ch: OpcuaChannel;
  try {
    ch = await OpcuaChannel.connect(cfg, run.channelCtx, { securityPolicy: 'None', securityMode: 'None' });
  } catch (e) {
    if (e instanceof ChannelError && e.kind === 'aborted') throw e;
    const kind = e instanceof ChannelError ? e.kind : 'protocol';
    return kind === 'timeout' ? { outcome: 'undecided', detail: `None channel: no answer (${(e as Error).message})` } : { outcome: 'refused', detail: `None secure channel refused (${kind})` };
  }
  try {
    const anon = await ch.createSession('anonymous', { injectEndpoint: true });
    if (anon.ok) return { outcome: 'activated', detail: 'an anonymous session over None/None was activated' };
    if (SECURITY_REJECTED.test(anon.status)) return { outcome: 'refused', detail: `session over None refused (${anon.status})` };
    if (!anon.status.startsWith('Bad') || !acct) return { outcome: 'undecided', detail: `anonymous session over None: ${anon.status}${acct ? '' : ' and no account to try'}` };
    const user = await ch.createSession({ username: acct.username, password: acct.password }, { injectEndpoint: true });
    if (user.ok) return { outcome: 'activated', detail: `a session for '${acct.username}' over None/None was activated` };
    if (user.status.startsWith('Bad')) return { outcome: 'refused', detail: `session over None refused (anonymous: ${anon.status}; '${acct.username}': ${user.status})` };
    return { outcome: 'undecided', detail: `session over None: no server status (${user.message ?? user.status})` };
  } finally {
    await ch.close();
  }
}

/**
 * OPC UA without security (CPSF L3.017/L3.018, plant manual 3-2/3-3), against
 * `policy.secureChannel.opcuaSecurityNone`: control (a channel with the profile's own security
 * answers GetEndpoints), every advertised endpoint with SecurityMode/Policy None is a FAIL when None
 * is declared off, and a forced None session is tried for real (a hidden None endpoint FAILs too).
 * `out`: the scenario's sink, written as findings are made, so a throw part-way loses nothing.
 */
export async function opcuaSecurityNone(target: TargetProfile, cfg: OpcuaInterface, iface: string, acct: ResolvedAccount | undefined, run: ProbeRun, out?: Findings): Promise<Judgement> {
  const f = new InterfaceFindings(iface, out);
  const ch = run.track(await OpcuaChannel.connect(cfg, run.channelCtx));
  const eps = await ch.getEndpoints();
  await ch.close();
  const answered = f.control(`GetEndpoints over ${cfg.securityPolicy}/${cfg.securityMode}`, {
    passed: eps.length > 0,
    actual: eps.length,
    reason: 'OPC UA positive control failed: GetEndpoints returned no endpoint',
  });
  if (!answered) return f;
  const label = (e: (typeof eps)[number]) => `${e.securityPolicy}/${e.securityMode}`;
  const all = [...new Set(eps.map(label))];
  const insecure = [...new Set(eps.filter((e) => e.securityMode === 'None' || e.securityPolicy === 'None').map(label))];
  f.measure('opcuaEndpoints', all);
  f.measure('opcuaEndpointsWithoutSecurity', insecure);
  f.measure('opcuaEndpointsWithoutSecurityCount', insecure.length, { limits: { equals: 0 } });

  const allowed = target.policy.secureChannel.opcuaSecurityNone;
  const offeredCheck = (noneDetail?: string) =>
    f.check('no OPC UA endpoint without security', {
      expected: 'no None endpoint',
      actual: insecure,
      passed: insecure.length === 0,
      reason: `OPC UA offers endpoints without security (${insecure.join(', ')})${noneDetail ? `; ${noneDetail}` : ''}`,
    });
  let none: NoneSessionCheck;
  try {
    none = await tryNoneSession(cfg, acct, run);
  } catch (e) {
    // An advertised None endpoint is proven by GetEndpoints alone: that FAIL is recorded before the error goes up.
    if (!allowed && insecure.length) offeredCheck();
    throw e;
  }
  f.measure('opcuaNoneSession', none.outcome);
  run.log(`None/None session check: ${none.detail}`);

  if (allowed) {
    return f.end('NOT_APPLICABLE', `SecurityPolicy None is declared allowed (policy.secureChannel.opcuaSecurityNone: true); noted: ${insecure.join(', ') || 'none advertised'}; ${none.detail}`);
  }
  if (!offeredCheck(none.outcome === 'activated' ? none.detail : undefined)) return f;
  const held = f.check('no session over SecurityPolicy None', {
    expected: 'refused',
    actual: none.detail,
    passed: none.outcome !== 'activated',
    reason: `OPC UA hides a None endpoint: ${none.detail} although none is advertised`,
  });
  if (!held) return f;
  if (none.outcome === 'undecided') return f.end('INCONCLUSIVE', `no None endpoint advertised, but the forced None session got no decision: ${none.detail}`);
  return f.end('PASS', `every endpoint is secured (${all.join(', ')}); ${none.detail}`);
}
