import { writePlanFor } from '../harness/oracles/write-observation.js';
import { hasAccounts } from '../harness/protocols/capabilities/privilege.js';
import { nonAdminRoles } from '../harness/profile/account-query.js';
import { roleMayWrite } from '../harness/profile/role-permits.js';
import { interfacesOffering, protocolOf } from '../harness/protocols/registry.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';

/**
 * Admin/user separation (CPSF L2.016): on every interface with accounts, each non-admin role the
 * profile declares there cannot change a setpoint, judged by effect — admin read-back and the
 * independent field monitor — after that interface's admin's own in-range write took effect
 * (positive control). A role the profile grants the write (roles.<r>.console.commands,
 * mqtt.write, opcua.write) is not probed for it. The MQTT topic ACL of a logged-in non-admin is
 * checked here (delivery on the command topic). A protocol without accounts (Modbus) declares so;
 * its interfaces are NOT_APPLICABLE with its reason, as is an interface without an admin or
 * without a non-admin account.
 */

/** Harness work around the device operations: opening the field monitor, restores in teardown. */
const HARNESS_SLACK_MS = 20_000;

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
  checks: [
    'positive control: the admin of each interface changes a setpoint (read-back and monitor)',
    'each non-admin role cannot change a setpoint, judged by admin read-back and the field monitor',
    'MQTT: a non-admin publish on the command topic is not delivered (topic ACL)',
  ],
  interfaces: { capability: 'privilege' },
  changesState: true,
  notApplicableWhen: (t) =>
    t.policy.privilegeSeparation ? undefined : 'profile declares no admin/user separation (policy.privilegeSeparation: false)',
  budgetMs,
  async run(ctx) {
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
        const admin = ctx.account(iface, { role: 'admin' });
        const protocol = protocolOf(ctx.target, iface)!.name;
        const roles = nonAdminRoles(ctx.secrets, iface, protocol);
        if (!roles.length) return ctx.notApplicable(`the profile declares no non-admin account on ${iface} (accounts[].interfaces): nothing to separate`, iface);
        const probed = roles.filter((u) => !roleMayWrite(u.permissions, protocol, ctx.target, plan.point));
        if (!probed.length) return ctx.notApplicable(`every non-admin role on ${iface} (${roles.map((u) => u.role).join(', ')}) is granted writes of ${plan.name} (roles): nothing to separate`, iface);
        for (const user of probed) await ctx.judge((out) => cap.probe(ctx.target, iface, { admin, user }, plan, ctx, out));
      },
    );
  },
});
