import type { Findings } from '../../core/finding.js';
import { noControlAccount, type ControlAccount, type UnauthenticatedResult } from '../capabilities/auth-surface.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { OpcuaChannel } from './opcua-channel.js';

/**
 * Anonymous OPC UA (L2.006): positive control (a valid account activates a session over the
 * profile's security), then a REAL anonymous ActivateSession (the channel injects the token policy
 * when the server does not advertise it, so the server itself answers). Whether the server
 * advertises anonymous is observed; an activated anonymous session also tries to read `readNode`.
 * `out`: the scenario's sink, written as findings are made, so a throw part-way loses nothing.
 */
export async function opcuaUnauthenticated(
  ch: OpcuaChannel,
  security: string,
  acct: ControlAccount | undefined,
  read: { name: string; nodeId: string } | undefined,
  out?: Findings,
): Promise<UnauthenticatedResult> {
  const f = new InterfaceFindings('opcua', out);
  const result = (outcome: UnauthenticatedResult['outcome'], detail: string): UnauthenticatedResult => ({ findings: f.findings, outcome, detail });
  if (!acct) return noControlAccount(f, 'OPC UA');
  const ctl = await ch.createSession({ username: acct.username, password: acct.password });
  const controlFailed = `OPC UA positive control failed: '${acct.username}' could not activate a session (${ctl.status})`;
  if (!f.control(`'${acct.username}' activates a session over ${security}`, { passed: ctl.ok, actual: ctl.status, reason: controlFailed })) return result('undecided', controlFailed);
  await ch.closeSession();

  const eps = await ch.getEndpoints();
  const advertised = eps.filter((e) => e.userTokenTypes.includes('Anonymous'));
  f.measure('opcuaAnonymousAdvertised', advertised.length > 0);
  const advNote = advertised.length
    ? `anonymous token advertised on ${advertised.map((e) => `${e.securityPolicy}/${e.securityMode}`).join(', ')}`
    : 'anonymous not advertised; a real anonymous ActivateSession was sent';

  const anon = await ch.createSession('anonymous');
  f.measure('opcuaAnonymousActivateSession', anon.status);
  if (anon.ok) {
    const rd = read ? await ch.read(read.nodeId).catch(() => undefined) : undefined;
    const what = rd?.ok ? ` and read ${read!.name} = ${JSON.stringify(rd.value)}` : '';
    await ch.closeSession();
    const detail = `anonymous OPC UA session activated${what} (${advNote})`;
    f.check('anonymous OPC UA ActivateSession refused', { expected: 'Bad* (BadIdentityTokenInvalid/Rejected, BadUserAccessDenied)', actual: anon.status, passed: false, reason: detail });
    return result('accepted', detail);
  }
  if (anon.status.startsWith('Bad')) {
    return result('refused', `anonymous OPC UA ActivateSession refused (${anon.status}); ${advNote}${advertised.length ? ' but refused' : ''}`);
  }
  return result('undecided', `anonymous OPC UA session attempt ended without a server status (${anon.message ?? anon.status})`);
}
