import type { UnauthenticatedResult } from '../harness/protocols/capabilities/auth-surface.js';
import { loginInterfaces } from '../harness/protocols/registry.js';
import { scenario } from '../harness/runner/scenario.js';
import type { ScenarioContext } from '../harness/runner/scenario-context.js';

/**
 * Access restriction (CPSF L2.006): every interface with logins refuses unauthenticated use —
 * console commands before login, anonymous MQTT, anonymous OPC UA, whatever a protocol offers —
 * each after a positive control and judged by effect (output, telemetry delivery, an activated
 * session). Modbus has no accounts: its write protection is privilege-separation's and
 * range-check's business. Changes no device state.
 */
export default scenario({
  id: 'unauthenticated-access',
  title: 'Unauthenticated access is refused (console before login, anonymous MQTT, anonymous OPC UA)',
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
  interfaces: { capability: 'login' },
  changesState: false,
  budgetMs: (t) => 15_000 + loginInterfaces(t).reduce((ms, { login }) => ms + login.anonymousBoundMs(t), 0),
  async run(ctx) {
    const logins = ctx.logins();
    const protocols = new Map(loginInterfaces(ctx.target).map((l) => [l.iface, l]));
    await ctx.forEachInterface([...logins.keys()], async (iface) => {
      const surface = logins.get(iface)!;
      const { protocol, login } = protocols.get(iface)!;
      if (!surface.unauthenticated) return ctx.notApplicable(`the ${protocol.name} protocol module has no unauthenticated-access probe`, iface);
      const { admin, user } = ctx.secrets;
      const account = login.controlRole === 'admin' ? (admin ?? user) : (user ?? admin);
      const r = await surface.unauthenticated(account, ctx.signal);
      record(ctx, iface, protocol.name, r);
    });
  },
});

/** Controls first (a failed one stops the interface), then what was observed, then the judgement. */
function record(ctx: ScenarioContext, iface: string, protocol: string, r: UnauthenticatedResult): void {
  for (const c of r.controls) ctx.control(c.name, { passed: c.passed, actual: c.actual, iface, reason: c.reason });
  for (const o of r.observations) ctx.measure(o.name, o.value, { iface, ...(o.unit ? { unit: o.unit } : {}) });
  if (r.outcome === 'accepted' && ctx.target.policy.anonymous[protocol]) {
    return ctx.notApplicable(`unauthenticated ${protocol} use is declared allowed (policy.anonymous.${protocol}); noted: ${r.detail}`, iface);
  }
  for (const c of r.checks) ctx.check(c.name, { expected: c.expected, actual: c.actual, passed: c.passed, iface, reason: c.reason });
  if (r.outcome === 'accepted' && r.checks.every((c) => c.passed)) ctx.fail(r.detail, iface);
  else if (r.outcome === 'refused') ctx.pass(r.detail, iface);
  else if (r.outcome === 'undecided') ctx.inconclusive(r.detail, iface);
}
