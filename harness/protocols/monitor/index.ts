import type { ProtocolModule } from '../protocol.js';

/** The independent field monitor (a Modbus TCP view of the outputs), declared as `monitor` in the profile. */
const monitorProtocol: ProtocolModule = {
  name: 'monitor',
  interfaces: (t) => (t.monitor ? ['monitor'] : []),
};
export default monitorProtocol;
