import { Findings } from '../harness/core/finding.js';
import type { AuthSurface, ControlAccount, UnauthenticatedResult } from '../harness/protocols/capabilities/auth-surface.js';
import { interfacesOffering, loginInterfaces } from '../harness/protocols/registry.js';
import { scenario } from '../harness/runner/scenario.js';
import type { ScenarioContext } from '../harness/runner/scenario-context.js';

/**
 * Access restriction (CPSF L2.006): every interface with logins refuses unauthenticated use —
 * console commands before login, anonymous MQTT, anonymous OPC UA, whatever a protocol offers —
 * each after a positive control and judged by effect (output, telemetry delivery, an activated
 * session), and an accepted anonymous MQTT client by whether its in-range command takes effect
 * (restored after). On the network interface, every open TCP port outside the allowlist and
 * every declared maintenance port is tried as a shell: one that runs a command without login
 * FAILs, naming the port and the output (port-closure names such a port; this shows what it
 * does). Modbus has no accounts: its write protection is privilege-separation's and
 * range-check's business. Changes no device state (an anonymous command is undone).
 */
export default scenario({
  id: 'unauthenticated-access',
  title: 'Unauthenticated access is refused (console before login, anonymous MQTT, anonymous OPC UA, command services on open ports)',
  requirements: [
    'CPSF:L2.006',
    'PlantIoT:2-3',
    'PlantIoT:3-3',
    'IEC62443-4-2:CR1.1',
    'IEC62443-4-2:CR1.2',
    'IEC62443-4-2:CR2.1',
    'EN303645:5.5-4',
    'EN303645:5.5-5',
    'EN303645:5.6-2',
    'NISTIR8259A:LAI-2',
  ],
  interfaces: { capability: ['login', 'unauthenticatedServices'] },
  checks: [
    'console: no command runs before login (positive control: a declared account logs in)',
    'MQTT: anonymous CONNECT refused; where accepted, whether it reads telemetry and whether its in-range command takes effect (restored after)',
    'OPC UA: anonymous session not activated',
    'network: every open TCP port outside the allowlist and every declared maintenance port runs no command (help, id) without login',
  ],
  changesState: false,
  budgetMs: (t) =>
    15_000 +
    loginInterfaces(t).reduce((ms, { login }) => ms + login.anonymousBoundMs(t), 0) +
    interfacesOffering(t, 'unauthenticatedServices').reduce((ms, { capability }) => ms + capability.boundMs(t), 0),
  async run(ctx) {
    // Shells and command services on the network address: their own findings, their own verdict.
    for (const { iface, capability } of interfacesOffering(ctx.target, 'unauthenticatedServices')) {
      await ctx.judge((out) => capability.probe(ctx.target, iface, ctx.channelCtx, out));
    }
    const logins = ctx.logins();
    const protocols = new Map(loginInterfaces(ctx.target).map((l) => [l.iface, l]));
    await ctx.forEachInterface([...logins.keys()], async (iface) => {
      const surface = logins.get(iface)!;
      const { protocol, login } = protocols.get(iface)!;
      if (!surface.unauthenticated) return ctx.notApplicable(`the ${protocol.name} protocol module has no unauthenticated-access probe`, iface);
      // The positive control logs in with an account the profile declares on this interface.
      const need = { any: true, prefer: login.controlRole === 'admin' ? 'admin' : 'non-admin' } as const;
      const account = ctx.account(iface, need);
      // The others, for a control the first cannot complete (an MQTT account that may not read telemetry).
      const alternatives = ctx.accounts(iface, need).filter((a) => a !== account);
      const r = await probeUnauthenticated(ctx, surface, { ...account, alternatives }, protocol.name);
      record(ctx, iface, protocol.name, r);
    });
  },
});

/**
 * The probe, its findings recorded as they are made (controls first: a failed one stops the
 * interface; a check proven before a throw stays recorded). Where the profile declares anonymous
 * use allowed, the checks of an accepted (or cut-short) probe are left out: what was seen is
 * noted, not a weakness.
 */
async function probeUnauthenticated(ctx: ScenarioContext, surface: AuthSurface, account: ControlAccount, protocol: string): Promise<UnauthenticatedResult> {
  const declaredAllowed = ctx.target.policy.anonymous[protocol] === true;
  return ctx.judge(async (out) => {
    const own = declaredAllowed ? new Findings() : out;
    let r: UnauthenticatedResult | undefined;
    try {
      r = await surface.unauthenticated!(account, ctx.signal, own);
    } finally {
      if (declaredAllowed) {
        const drop = !r || r.outcome === 'accepted';
        out.add({ findings: (r?.findings ?? own.findings).filter((f) => !drop || f.kind !== 'check') });
      }
    }
    return { findings: declaredAllowed ? out.findings : r.findings, value: r };
  });
}

/** The judgement once the probe's findings are recorded. A device that declares unauthenticated use allowed gets NOT_APPLICABLE with what was seen noted. */
function record(ctx: ScenarioContext, iface: string, protocol: string, r: UnauthenticatedResult): void {
  const allowed = r.outcome === 'accepted' && ctx.target.policy.anonymous[protocol] === true;
  if (allowed) return ctx.notApplicable(`unauthenticated ${protocol} use is declared allowed (policy.anonymous.${protocol}); noted: ${r.detail}`, iface);
  const failedCheck = r.findings.some((f) => f.kind === 'check' && !f.passed);
  if (r.outcome === 'accepted' && !failedCheck) ctx.fail(r.detail, iface);
  else if (r.outcome === 'refused') ctx.pass(r.detail, iface);
  else if (r.outcome === 'undecided') ctx.inconclusive(r.detail, iface);
}
