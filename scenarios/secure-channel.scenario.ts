import { scenario } from '../harness/runner/scenario.js';
import { probeMqttPlaintext } from './probes/mqtt-plaintext.js';
import { probeOpcuaSecurityNone } from './probes/opcua-security-none.js';

/**
 * Secure channel offer (CPSF L3.017/L3.018; plant manual 3-2/3-3): what the device offers without
 * encryption, reported against what its profile declares (`policy.secureChannel`). OPC UA:
 * endpoints with SecurityMode/Policy None, verified by really opening a None session. MQTT: the
 * profile URL must be mqtts:// when TLS is declared, and plaintext CONNECTs must get no CONNACK.
 */
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
  interfaces: ['mqtt', 'opcua'],
  changesState: false,
  budgetMs: (t) => {
    const i = t.interfaces;
    return 10_000 + (i.mqtt ? 6 * i.mqtt.timeoutMs : 0) + (i.opcua ? 7 * i.opcua.timeoutMs : 0);
  },
  async run(ctx) {
    await ctx.forEachInterface(['mqtt', 'opcua'], async (iface) => {
      if (iface === 'mqtt') await probeMqttPlaintext(ctx);
      else await probeOpcuaSecurityNone(ctx);
    });
  },
});
