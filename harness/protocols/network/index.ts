import type { ProtocolModule } from '../protocol.js';
import { unauthenticatedServices } from './unauthenticated-services.js';

/** The device's network address as a whole: TCP and UDP port probes (port closure, floods). */
const networkProtocol: ProtocolModule = {
  name: 'network',
  interfaces: (t) => (t.interfaces.network ? ['network'] : []),
  unauthenticatedServices,
};
export default networkProtocol;
