import { writePlanFor } from '../harness/oracles/write-observation.js';
import { hasAccounts } from '../harness/protocols/capabilities/privilege.js';
import { interfacesOffering } from '../harness/protocols/registry.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';

/**
 * Admin/user separation (CPSF L2.016): on every interface with accounts, the non-admin account
 * (credentials.user) cannot change a setpoint, judged by effect — admin read-back and the
 * independent field monitor — after the admin's own in-range write took effect (positive control).
 * The MQTT topic ACL of a logged-in non-admin is checked here (delivery on the command topic).
 * A protocol without accounts (Modbus) declares so; its interfaces are NOT_APPLICABLE with its reason.
 */

/** Harness work around the device operations: opening the field monitor, restores in teardown. */
const HARNESS_SLACK_MS = 20_000;
const NO_ACCOUNT_PAIR = 'the profile must declare an admin and a non-admin account (credentials.admin, credentials.user with role user) to test separation';

function budgetMs(t: TargetProfile): number {
  return interfacesOffering(t, 'privilege').reduce((ms, { capability }) => ms + (hasAccounts(capability) ? capability.boundMs(t) : 0), HARNESS_SLACK_MS);
}

export default scenario({
  id: 'privilege-separation',
  title: 'A non-admin account cannot change setpoints (console, MQTT, OPC UA)',
  requirements: [
    'CPSF:L2.016',
    'PlantIoT:2-3',
    'IEC62443-4-2:CR2.1',
    'IEC62443-4-2:CR1.3',
    'EN303645:5.5-5',
    'EN303645:5.6-7',
    'NISTIR8259A:LAI-2',
    'NISTIR8259A:DC-2',
  ],
  interfaces: { capability: 'privilege' },
  changesState: true,
  notApplicableWhen: (t) =>
    t.policy.privilegeSeparation ? undefined : 'profile declares no admin/user separation (policy.privilegeSeparation: false)',
  budgetMs,
  async run(ctx) {
    const { admin, user } = ctx.secrets;
    if (!admin || !user || user.role !== 'user' || admin.role !== 'admin') return ctx.inconclusive(NO_ACCOUNT_PAIR);
    const offering = interfacesOffering(ctx.target, 'privilege');
    await ctx.forEachInterface(
      offering.map((o) => o.iface),
      async (iface) => {
        const cap = offering.find((o) => o.iface === iface)!.capability;
        if (!hasAccounts(cap)) return ctx.notApplicable(cap.noAccounts, iface);
        const unsupported = cap.unsupported?.(ctx.target, iface);
        if (unsupported) return ctx.notApplicable(unsupported, iface);
        const plan = writePlanFor(ctx.target, cap.maps, ctx);
        if (!plan) return ctx.notApplicable(cap.noPoint, iface);
        ctx.recordFindings(await cap.probe(ctx.target, iface, { admin, user }, plan, ctx));
      },
    );
  },
});
