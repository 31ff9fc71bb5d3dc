import { scenario } from '../harness/runner/scenario.js';
import { probeConsoleUnauthenticated } from './probes/console-unauthenticated.js';
import { probeMqttAnonymous } from './probes/mqtt-anonymous.js';
import { probeOpcuaAnonymous } from './probes/opcua-anonymous.js';

/**
 * Access restriction (CPSF L2.006): every interface with accounts refuses unauthenticated use —
 * console commands before login, anonymous MQTT, anonymous OPC UA — each after a positive control
 * and judged by effect (output, telemetry delivery, an activated session). Modbus has no accounts:
 * its write protection is privilege-separation's and range-check's business, not this scenario's.
 * The MQTT topic ACL of a logged-in non-admin is checked in privilege-separation (a delivery check
 * on the command topic), so this scenario changes no device state.
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
  interfaces: ['console', 'mqtt', 'opcua'],
  changesState: false,
  budgetMs: (t) => {
    const i = t.interfaces;
    return 15_000 + (i.console ? 12 * i.console.timeoutMs : 0) + (i.mqtt ? 6 * i.mqtt.timeoutMs : 0) + (i.opcua ? 6 * i.opcua.timeoutMs : 0);
  },
  async run(ctx) {
    await ctx.forEachInterface(['console', 'mqtt', 'opcua'], async (iface) => {
      if (iface === 'console') await probeConsoleUnauthenticated(ctx);
      else if (iface === 'mqtt') await probeMqttAnonymous(ctx);
      else await probeOpcuaAnonymous(ctx);
    });
  },
});
