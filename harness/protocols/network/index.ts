import type { ProtocolModule } from '../protocol.js';

/** The device's network address as a whole: TCP and UDP port probes (port closure, floods). */
const networkProtocol: ProtocolModule = {
  name: 'network',
  interfaces: (t) => (t.interfaces.network ? ['network'] : []),
};
export default networkProtocol;
