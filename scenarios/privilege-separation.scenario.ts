import { scenario } from '../harness/runner/scenario.js';
import { probeConsolePrivilege } from './probes/console-privilege.js';
import { probeMqttPrivilege } from './probes/mqtt-privilege.js';
import { probeOpcuaPrivilege } from './probes/opcua-privilege.js';

/**
 * Admin/user separation (CPSF L2.016): on every interface with accounts, the non-admin account
 * (credentials.user) cannot change a setpoint, judged by effect — admin read-back and the
 * independent field monitor — after the admin's own in-range write took effect (positive control).
 * The MQTT topic ACL of a logged-in non-admin is checked here (delivery on the command topic).
 * Modbus has no accounts, so there is nothing to separate: NOT_APPLICABLE with that reason.
 */
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
  interfaces: ['console', 'mqtt', 'opcua', 'modbus-tcp', 'modbus-rtu'],
  changesState: true,
  notApplicableWhen: (t) =>
    t.policy.privilegeSeparation ? undefined : 'profile declares no admin/user separation (policy.privilegeSeparation: false)',
  budgetMs: (t) => {
    const i = t.interfaces;
    return 20_000 + (i.console ? 30 * i.console.timeoutMs : 0) + (i.mqtt ? 8 * i.mqtt.timeoutMs : 0) + (i.opcua ? 10 * i.opcua.timeoutMs : 0);
  },
  async run(ctx) {
    const { admin, user } = ctx.secrets;
    if (!admin || !user || user.role !== 'user' || admin.role !== 'admin') {
      return ctx.inconclusive('the profile must declare an admin and a non-admin account (credentials.admin, credentials.user with role user) to test separation');
    }
    await ctx.forEachInterface(['console', 'mqtt', 'opcua', 'modbus-tcp', 'modbus-rtu'], async (iface) => {
      if (iface === 'console') await probeConsolePrivilege(ctx, admin, user);
      else if (iface === 'mqtt') await probeMqttPrivilege(ctx, admin, user);
      else if (iface === 'opcua') await probeOpcuaPrivilege(ctx, admin, user);
      else ctx.notApplicable('Modbus has no accounts, so there is no admin/user separation to test (write protection is range-check and network segmentation)', iface);
    });
  },
});
