/** Is an OPC UA server listening? A Hello (Part 6, 7.1.2.3); a server answers ACK or ERR. */
import type { ServiceIdentityCapability } from '../capabilities/service-identity.js';
import { ByteTransport } from '../transport/byte-transport.js';

/** The binary protocol's registered port, when the endpoint URL names none. */
const OPCUA_DEFAULT_PORT = 4840;
/** A Hello is answered at once or not at all: the probe does not wait out a long session timeout. */
const HELLO_MAX_WAIT_MS = 5000;

function opcuaHello(endpoint: string): Buffer {
  const url = Buffer.from(endpoint, 'utf8');
  const body = Buffer.alloc(20 + 4 + url.length);
  body.writeUInt32LE(0, 0); // protocol version
  body.writeUInt32LE(65536, 4); // receive buffer
  body.writeUInt32LE(65536, 8); // send buffer
  body.writeUInt32LE(0, 12); // max message size: no limit
  body.writeUInt32LE(0, 16); // max chunk count: no limit
  body.writeInt32LE(url.length, 20);
  url.copy(body, 24);
  const head = Buffer.alloc(8);
  head.write('HELF', 0, 'ascii');
  head.writeUInt32LE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

/** opc.tcp://host:port/path parsed with the WHATWG parser (which does not know the scheme). */
const opcuaUrl = (endpoint: string) => new URL(endpoint.replace(/^opc\.tcp:/, 'http:'));

export const opcuaIdentify: ServiceIdentityCapability = {
  endpoint: (t) => {
    if (!t.interfaces.opcua) return undefined;
    const u = opcuaUrl(t.interfaces.opcua.endpoint);
    return { host: u.hostname, port: Number(u.port || OPCUA_DEFAULT_PORT) };
  },
  async probe(t, _iface, ctx, signal) {
    const endpoint = t.interfaces.opcua!.endpoint;
    const timeoutMs = Math.min(t.interfaces.opcua!.timeoutMs, HELLO_MAX_WAIT_MS);
    const u = opcuaUrl(endpoint);
    const tr = await ByteTransport.open(`tcp://${u.hostname}:${u.port || OPCUA_DEFAULT_PORT}`, ctx, { channel: 'probe', protocol: 'opcua', timeoutMs, signal });
    try {
      const reply = await new Promise<Buffer>((resolve) => {
        let got = Buffer.alloc(0);
        const done = () => resolve(got);
        const timer = setTimeout(done, timeoutMs);
        tr.onClose(() => (clearTimeout(timer), done()));
        tr.onData((b) => {
          got = Buffer.concat([got, b]);
          if (got.length >= 8) (clearTimeout(timer), done());
        });
        void tr.write(opcuaHello(endpoint), { text: 'OPC UA Hello (service identification)', signal });
      });
      const kind = reply.subarray(0, 4).toString('latin1');
      const ok = kind === 'ACKF' || kind === 'ERRF';
      return { identified: ok, detail: ok ? `OPC UA ${kind.slice(0, 3)} to Hello` : reply.length ? `no OPC UA ACK/ERR to Hello (got ${reply.length} bytes)` : 'no answer to OPC UA Hello' };
    } finally {
      await tr.close();
    }
  },
};
