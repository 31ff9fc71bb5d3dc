import type { ControlAccount, ProbeCheck, UnauthenticatedResult } from '../capabilities/auth-surface.js';
import type { OpcuaChannel } from './opcua-channel.js';

/**
 * Anonymous OPC UA (L2.006): positive control (a valid account activates a session over the
 * profile's security), then a REAL anonymous ActivateSession (the channel injects the token policy
 * when the server does not advertise it, so the server itself answers). Whether the server
 * advertises anonymous is observed; an activated anonymous session also tries to read `readNode`.
 */
export async function opcuaUnauthenticated(
  ch: OpcuaChannel,
  security: string,
  acct: ControlAccount | undefined,
  read: { name: string; nodeId: string } | undefined,
): Promise<UnauthenticatedResult> {
  const controls: ProbeCheck[] = [];
  const checks: ProbeCheck[] = [];
  const observations: UnauthenticatedResult['observations'] = [];
  const result = (outcome: UnauthenticatedResult['outcome'], detail: string): UnauthenticatedResult => ({ outcome, detail, controls, checks, observations });
  if (!acct) {
    controls.push({ name: 'a declared account activates a session', expected: 'an account', actual: 'no account', passed: false, reason: 'no account declared: the OPC UA positive control (a valid session) cannot run' });
    return result('undecided', controls[0]!.reason);
  }
  const ctl = await ch.createSession({ username: acct.username, password: acct.password });
  controls.push({
    name: `'${acct.username}' activates a session over ${security}`,
    expected: 'Good',
    passed: ctl.ok,
    actual: ctl.status,
    reason: `OPC UA positive control failed: '${acct.username}' could not activate a session (${ctl.status})`,
  });
  if (!ctl.ok) return result('undecided', controls[0]!.reason);
  await ch.closeSession();

  const eps = await ch.getEndpoints();
  const advertised = eps.filter((e) => e.userTokenTypes.includes('Anonymous'));
  observations.push({ name: 'opcuaAnonymousAdvertised', value: advertised.length > 0 });
  const advNote = advertised.length
    ? `anonymous token advertised on ${advertised.map((e) => `${e.securityPolicy}/${e.securityMode}`).join(', ')}`
    : 'anonymous not advertised; a real anonymous ActivateSession was sent';

  const anon = await ch.createSession('anonymous');
  observations.push({ name: 'opcuaAnonymousActivateSession', value: anon.status });
  if (anon.ok) {
    const rd = read ? await ch.read(read.nodeId).catch(() => undefined) : undefined;
    const what = rd?.ok ? ` and read ${read!.name} = ${JSON.stringify(rd.value)}` : '';
    await ch.closeSession();
    const detail = `anonymous OPC UA session activated${what} (${advNote})`;
    checks.push({ name: 'anonymous OPC UA ActivateSession refused', expected: 'Bad* (BadIdentityTokenInvalid/Rejected, BadUserAccessDenied)', actual: anon.status, passed: false, reason: detail });
    return result('accepted', detail);
  }
  if (anon.status.startsWith('Bad')) {
    return result('refused', `anonymous OPC UA ActivateSession refused (${anon.status}); ${advNote}${advertised.length ? ' but refused' : ''}`);
  }
  return result('undecided', `anonymous OPC UA session attempt ended without a server status (${anon.message ?? anon.status})`);
}
