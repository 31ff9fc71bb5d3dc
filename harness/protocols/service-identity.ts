import { ByteTransport } from './transport/byte-transport.js';
import { parseTcpUrl, type ChannelContext } from './transport/channel.js';
import { ModbusChannel } from './modbus/modbus-channel.js';
import { MqttChannel } from './mqtt/mqtt-channel.js';
import { grabBanner } from './network/port-probe.js';
import type { TargetProfile } from '../profile/target-schema.js';
import { gotValidConnack } from './mqtt/mqtt-connack.js';

/**
 * Service identification on allowed ports (what nmap -sV does for a scan): an allowed port must
 * speak the protocol it is declared for. Each probe is read-only: a one-register Modbus read, an
 * anonymous MQTT CONNECT, an OPC UA Hello, a console nudge.
 */
export type ServiceKind = 'modbus' | 'mqtt' | 'opcua' | 'console';

export interface ServiceIdentity {
  port: number;
  service: ServiceKind;
  identified: boolean;
  detail: string;
}

interface DeclaredService {
  port: number;
  service: ServiceKind;
  probe: (signal: AbortSignal) => Promise<{ identified: boolean; detail: string }>;
}

/** OPC UA Hello (Part 6, 7.1.2.3) for `endpoint`; a server answers ACK or ERR. */
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

async function probeOpcua(endpoint: string, ctx: ChannelContext, timeoutMs: number, signal: AbortSignal) {
  const u = opcuaUrl(endpoint);
  const t = await ByteTransport.open(`tcp://${u.hostname}:${u.port || 4840}`, ctx, { channel: 'probe', timeoutMs, signal });
  try {
    const reply = await new Promise<Buffer>((resolve) => {
      let got = Buffer.alloc(0);
      const done = () => resolve(got);
      const timer = setTimeout(done, timeoutMs);
      t.onClose(() => (clearTimeout(timer), done()));
      t.onData((b) => {
        got = Buffer.concat([got, b]);
        if (got.length >= 8) (clearTimeout(timer), done());
      });
      void t.write(opcuaHello(endpoint), { text: 'OPC UA Hello (service identification)', signal });
    });
    const kind = reply.subarray(0, 4).toString('latin1');
    const ok = kind === 'ACKF' || kind === 'ERRF';
    return { identified: ok, detail: ok ? `OPC UA ${kind.slice(0, 3)} to Hello` : reply.length ? `no OPC UA ACK/ERR to Hello (got ${reply.length} bytes)` : 'no answer to OPC UA Hello' };
  } finally {
    await t.close();
  }
}

function declaredServices(target: TargetProfile, ctx: ChannelContext, host: string): DeclaredService[] {
  const i = target.interfaces;
  const out: DeclaredService[] = [];
  const onHost = (h: string) => h === host;
  if (i.modbus?.tcp) {
    const { host: h, port } = parseTcpUrl(i.modbus.tcp);
    const m = i.modbus;
    if (onHost(h))
      out.push({
        port,
        service: 'modbus',
        probe: async (signal) => {
          const ch = await ModbusChannel.openTcp(m.tcp!, m.unitId, ctx, { requestTimeoutMs: m.timeoutMs, signal });
          try {
            const r = await ch.readHolding(0, 1, { signal });
            const ok = r.ok || r.kind === 'exception';
            return { identified: ok, detail: r.ok ? 'Modbus response' : r.kind === 'exception' ? `Modbus exception ${r.exception}` : `no Modbus response (${r.kind})` };
          } finally {
            await ch.close();
          }
        },
      });
  }
  if (i.mqtt) {
    const u = new URL(i.mqtt.url);
    const mq = i.mqtt;
    if (onHost(u.hostname))
      out.push({
        port: Number(u.port),
        service: 'mqtt',
        probe: async (signal) => {
          const r = await MqttChannel.connect(mq, { anonymous: true }, ctx, { timeoutMs: mq.timeoutMs, signal });
          if (r.ok) await r.channel.close();
          const ok = gotValidConnack(r, mq.protocolVersion);
          return { identified: ok, detail: ok ? `MQTT CONNACK ${r.ok ? 0 : r.connack?.code}` : `no valid MQTT CONNACK (${r.ok ? 'ok' : r.kind})` };
        },
      });
  }
  if (i.opcua) {
    const u = opcuaUrl(i.opcua.endpoint);
    const ep = i.opcua.endpoint;
    const ms = Math.min(i.opcua.timeoutMs, 5000);
    if (onHost(u.hostname)) out.push({ port: Number(u.port || 4840), service: 'opcua', probe: (signal) => probeOpcua(ep, ctx, ms, signal) });
  }
  if (i.console?.connect.startsWith('tcp://')) {
    const { host: h, port } = parseTcpUrl(i.console.connect);
    const ms = i.console.timeoutMs;
    if (onHost(h))
      out.push({
        port,
        service: 'console',
        probe: async (signal) => {
          const b = await grabBanner(h, port, { timeoutMs: ms, signal, nudge: true }, ctx);
          const text = b.banner.toString('latin1');
          const printable = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('').filter((c) => (c >= ' ' && c <= '~') || c === '\r' || c === '\n' || c === '\t').length;
          const ok = b.banner.length > 0 && printable / b.banner.length >= 0.9;
          return { identified: ok, detail: ok ? `console text: "${text.replace(/\s+/g, ' ').trim().slice(0, 40)}"` : b.banner.length ? `not terminal text (${b.banner.length} bytes, ${printable} printable)` : 'no console output' };
        },
      });
  }
  return out;
}

/** Identify the service on every open port the profile declares an interface for. */
export async function identifyServices(target: TargetProfile, host: string, open: number[], ctx: ChannelContext, signal: AbortSignal): Promise<ServiceIdentity[]> {
  const results: ServiceIdentity[] = [];
  for (const d of declaredServices(target, ctx, host)) {
    if (!open.includes(d.port)) continue;
    try {
      results.push({ port: d.port, service: d.service, ...(await d.probe(signal)) });
    } catch (e) {
      if (signal.aborted) throw e;
      results.push({ port: d.port, service: d.service, identified: false, detail: (e as Error).message });
    }
  }
  return results;
}
