/** Is a Modbus server listening? A one-register read; an exception is a Modbus answer too. */
import type { ServiceIdentityCapability } from '../capabilities/service-identity.js';
import { parseTcpUrl } from '../transport/channel.js';
import { ModbusChannel } from './modbus-channel.js';

export const modbusIdentify: ServiceIdentityCapability = {
  endpoint: (t, iface) => (iface === 'modbus-tcp' && t.interfaces.modbus?.tcp ? parseTcpUrl(t.interfaces.modbus.tcp) : undefined),
  async probe(t, _iface, ctx, signal) {
    const m = t.interfaces.modbus!;
    const ch = await ModbusChannel.openTcp(m.tcp!, m.unitId, ctx, { requestTimeoutMs: m.timeoutMs, signal });
    try {
      const r = await ch.readHolding(0, 1, { signal });
      const ok = r.ok || r.kind === 'exception';
      return { identified: ok, detail: r.ok ? 'Modbus response' : r.kind === 'exception' ? `Modbus exception ${r.exception}` : `no Modbus response (${r.kind})` };
    } finally {
      await ch.close();
    }
  },
};
