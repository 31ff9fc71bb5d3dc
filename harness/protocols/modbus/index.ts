import type { ModbusInterface } from '../../profile/target-schema.js';
import { interfaceConfig, type ProtocolModule } from '../protocol.js';
import { modbusDecoder } from './modbus-decoder.js';
import { malformedModbus } from './malformed-modbus.js';
import { modbusIdentify } from './modbus-identify.js';
import { ModbusPointAccess } from './modbus-point-access.js';

const cfg = (t: { interfaces: { modbus?: ModbusInterface } }): ModbusInterface => interfaceConfig(t, 'modbus');

/** Modbus over TCP and over a serial line (RTU): one interface per transport the profile declares. */
const modbusProtocol: ProtocolModule = {
  name: 'modbus',
  malformed: malformedModbus,
  identify: modbusIdentify,
  decoder: modbusDecoder,
  interfaces: (t) => [...(t.interfaces.modbus?.tcp ? ['modbus-tcp'] : []), ...(t.interfaces.modbus?.rtu ? ['modbus-rtu'] : [])],
  privilege: { noAccounts: 'Modbus has no accounts, so there is no admin/user separation to test (write protection is range-check and network segmentation)' },
  points: {
    path: (iface) => (iface === 'modbus-rtu' ? 'modbus-rtu' : 'modbus-tcp'),
    reactionKey: 'modbus',
    // Modbus has no accounts: anyone on the wire writes.
    needsAccount: false,
    timeoutMs: (t) => cfg(t).timeoutMs,
    open: (t, iface, _account, ctx) => ModbusPointAccess.open(cfg(t), iface === 'modbus-rtu' ? 'rtu' : 'tcp', t.policy.points, ctx),
  },
};
export default modbusProtocol;
