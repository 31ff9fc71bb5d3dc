import { interfacesOffering } from '../harness/protocols/registry.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';

/**
 * Secure channel offer (CPSF L3.017/L3.018; plant manual 3-2/3-3): what the device offers without
 * encryption, reported against what its profile declares (`policy.secureChannel`), on every
 * interface whose protocol has a secure-channel probe. OPC UA: endpoints with SecurityMode/Policy
 * None, verified by really opening a None session. MQTT: the profile URL must be mqtts:// when TLS
 * is declared, and plaintext CONNECTs must get no CONNACK.
 */

/** Harness work around the device operations (TLS set-up of the harness's own clients). */
const HARNESS_SLACK_MS = 10_000;

function budgetMs(t: TargetProfile): number {
  return interfacesOffering(t, 'secureChannel').reduce((ms, { capability }) => ms + capability.boundMs(t), HARNESS_SLACK_MS);
}

export default scenario({
  id: 'secure-channel',
  title: 'Only encrypted channels are offered (OPC UA without SecurityPolicy None, MQTT only over TLS)',
  requirements: [
    'CPSF:L3.017',
    'CPSF:L3.018',
    'PlantIoT:3-2',
    'PlantIoT:3-3',
    'IEC62443-4-2:CR4.1',
    'IEC62443-4-2:CR3.1',
    'EN303645:5.5-1',
    'NISTIR8259A:DP-1',
  ],
  checks: [
    'OPC UA: no endpoint with SecurityMode/Policy None unless declared (verified by opening a None session)',
    'MQTT: the declared URL is TLS where TLS is declared, and plaintext CONNECTs get no CONNACK',
  ],
  interfaces: { capability: 'secureChannel' },
  changesState: false,
  budgetMs,
  async run(ctx) {
    const offering = interfacesOffering(ctx.target, 'secureChannel');
    await ctx.forEachInterface(
      offering.map((o) => o.iface),
      async (iface) => {
        const cap = offering.find((o) => o.iface === iface)!.capability;
        // The least-privileged account declared on this interface runs the positive control over the secured channel.
        const account = ctx.accounts(iface)[0];
        await ctx.judge((out) => cap.probe(ctx.target, iface, account, ctx, out));
      },
    );
  },
});
