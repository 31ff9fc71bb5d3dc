import { OpcuaChannel } from '../../harness/protocols/opcua/opcua-channel.js';
import type { ScenarioContext } from '../../harness/runner/scenario-context.js';

/**
 * Anonymous OPC UA (L2.006): positive control (a valid account activates a session over the
 * profile's security), then a REAL anonymous ActivateSession (the channel injects the token policy
 * when the server does not advertise it, so the server itself answers). Good is a FAIL unless the
 * profile declares anonymous OPC UA allowed; whether the server advertises anonymous is measured.
 */
export async function probeOpcuaAnonymous(ctx: ScenarioContext): Promise<void> {
  const iface = ctx.target.interfaces.opcua!;
  const acct = ctx.secrets.admin ?? ctx.secrets.user;
  if (!acct) return ctx.inconclusive('no account declared: the OPC UA positive control (a valid session) cannot run', 'opcua');
  const ch = ctx.track(await OpcuaChannel.connect(iface, ctx.channelCtx));
  const ctl = await ch.createSession({ username: acct.username, password: acct.password });
  ctx.control(`'${acct.username}' activates a session over ${iface.securityPolicy}/${iface.securityMode}`, {
    passed: ctl.ok,
    actual: ctl.status,
    iface: 'opcua',
    reason: `OPC UA positive control failed: '${acct.username}' could not activate a session (${ctl.status})`,
  });
  await ch.closeSession();

  const eps = await ch.getEndpoints();
  const advertised = eps.filter((e) => e.userTokenTypes.includes('Anonymous'));
  ctx.measure('opcuaAnonymousAdvertised', advertised.length > 0, { iface: 'opcua' });
  const advNote = advertised.length
    ? `anonymous token advertised on ${advertised.map((e) => `${e.securityPolicy}/${e.securityMode}`).join(', ')}`
    : 'anonymous not advertised; a real anonymous ActivateSession was sent';

  const anon = await ch.createSession('anonymous');
  ctx.measure('opcuaAnonymousActivateSession', anon.status, { iface: 'opcua' });
  if (anon.ok) {
    const point = Object.entries(ctx.target.policy.points).find(([, p]) => p.opcua);
    const rd = point ? await ch.read(point[1].opcua!.nodeId).catch(() => undefined) : undefined;
    const what = rd?.ok ? ` and read ${point![0]} = ${JSON.stringify(rd.value)}` : '';
    await ch.closeSession();
    if (ctx.target.policy.anonymous.opcua) {
      return ctx.notApplicable(`anonymous OPC UA is declared allowed (policy.anonymous.opcua); noted: anonymous session activated${what}`, 'opcua');
    }
    ctx.check('anonymous OPC UA ActivateSession refused', {
      expected: 'Bad* (BadIdentityTokenInvalid/Rejected, BadUserAccessDenied)',
      actual: anon.status,
      passed: false,
      iface: 'opcua',
      reason: `anonymous OPC UA session activated${what} (${advNote})`,
    });
    return;
  }
  if (anon.status.startsWith('Bad')) {
    return ctx.pass(`anonymous OPC UA ActivateSession refused (${anon.status}); ${advNote}${advertised.length ? ' but refused' : ''}`, 'opcua');
  }
  ctx.inconclusive(`anonymous OPC UA session attempt ended without a server status (${anon.message ?? anon.status})`, 'opcua');
}
