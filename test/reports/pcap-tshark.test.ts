import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Aedes } from 'aedes';
import ModbusRTUDefault, { ServerTCP } from 'modbus-serial';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { renderRunDirectory, type RenderResult } from '../../reports/runs/render-run.js';
import { assertTool, requireTool, tempRunDir, testEnv } from './external-tool.js';
import { startRecordingRelay } from './recording-relay.js';

const ModbusRTU = ModbusRTUDefault as unknown as typeof ModbusRTUDefault.default;
const HINT = 'apt-get install tshark';
const { skip } = requireTool('tshark', HINT);

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Real exchanges on loopback: modbus-serial client ↔ ServerTCP, mqtt.js ↔ aedes, both through a recording relay. */
async function recordRealTraffic(dir: string): Promise<void> {
  const log = new EvidenceLog(dir, 'run-pcap');
  const regs = new Uint16Array(32);
  const mbErr = (code: number) => Object.assign(new Error('range'), { modbusErrorCode: code });
  const vector = {
    getHoldingRegister: (addr: number) => regs[addr] ?? 0,
    getCoil: (addr: number) => addr % 2 === 0,
    setRegister: (addr: number, value: number) => {
      if (value > 1000) throw mbErr(3);
      regs[addr] = value;
    },
    setRegisterArray: (addr: number, values: number[]) => values.forEach((v, i) => (regs[addr + i] = v)),
  };
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const mbPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const mbServer = new ServerTCP(vector, { host: '127.0.0.1', port: mbPort, unitID: 1 });
  await once(mbServer, 'initialized');
  const mbRelay = await startRecordingRelay(log, mbPort, 'modbus-tcp', 'modbus');

  const broker = await Aedes.createBroker();
  const brokerServer = createServer(broker.handle);
  await new Promise<void>((r) => brokerServer.listen(0, '127.0.0.1', r));
  const mqRelay = await startRecordingRelay(log, (brokerServer.address() as AddressInfo).port, 'mqtt', 'mqtt');

  try {
    log.scenario = 'modbus-range';
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port: mbRelay.port });
    client.setID(1);
    client.setTimeout(2000);
    await client.writeRegister(10, 500);
    await client.readHoldingRegisters(10, 2);
    await client.writeRegisters(12, [1, 2, 3]);
    await client.readCoils(0, 8);
    await expect(client.writeRegister(10, 5000)).rejects.toMatchObject({ modbusCode: 3 });
    await new Promise<void>((r) => client.close(() => r()));

    log.scenario = 'mqtt-acl';
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqRelay.port}`, { clientId: 'hil-pcap', reconnectPeriod: 0, protocolVersion: 4 });
    await c.subscribeAsync('plant/line1/#', { qos: 1 });
    const got = new Promise<void>((r) => c.once('message', () => r()));
    await c.publishAsync('plant/line1/setpoint', '{"rpm":500}', { qos: 1 });
    await got;
    await c.endAsync();
    await sleep(100);
    log.scenario = undefined;
  } finally {
    await mbRelay.close();
    await mqRelay.close();
    await new Promise<void>((r) => mbServer.close(() => r()));
    await new Promise<void>((r) => brokerServer.close(() => r()));
    await new Promise<void>((r) => broker.close(() => r()));
  }
  // A console exchange, as the serial channel records it.
  const serial = { proto: 'serial' as const, local: '/dev/ttyUSB0', remote: 'console' };
  log.append({ channel: 'console', protocol: 'console', dir: 'rx', data: 'gw login: ', endpoints: serial });
  log.append({ channel: 'console', protocol: 'console', dir: 'tx', data: 'admin\r\n', endpoints: serial });
  log.append({ channel: 'console', protocol: 'console', dir: 'rx', data: 'Login incorrect\r\n', endpoints: serial });
}

describe.skipIf(skip)('traffic.pcapng decoded by tshark', () => {
  const dir = tempRunDir('pcap');
  const pcap = join(dir, 'traffic.pcapng');
  let rendered: RenderResult;
  let decodeArgs: string[];

  beforeAll(async () => {
    assertTool('tshark', HINT);
    await recordRealTraffic(dir);
    rendered = renderRunDirectory(dir, { env: testEnv() });
    decodeArgs = rendered.decodeAs.flatMap((d) => ['-d', `tcp.port==${d.port},${d.protocol}`]);
  }, 60_000);
  afterAll(() => undefined);

  it('names the decode-as ports of the run (non-standard ports)', () => {
    expect(rendered.decodeAs.map((d) => d.protocol).sort()).toEqual(['mbtcp', 'mqtt']);
  });

  it('shows the Modbus function codes of the run, including the exception', () => {
    const out = tshark(['-r', pcap, ...decodeArgs, '-Y', 'modbus', '-T', 'fields', '-e', 'modbus.func_code', '-e', 'modbus.exception_code']);
    const codes = new Set(out.split('\n').flatMap((l) => l.split('\t')[0]?.split(',') ?? []).filter(Boolean).map(Number));
    for (const fc of [1, 3, 6, 16]) expect(codes, `function code ${fc} in ${out}`).toContain(fc);
    expect(out).toMatch(/\t3$/m); // exception code 3: Illegal Data Value
  });

  it('shows the MQTT packet types of the run', () => {
    const out = tshark(['-r', pcap, ...decodeArgs, '-Y', 'mqtt', '-T', 'fields', '-e', 'mqtt.msgtype']);
    const types = new Set(out.split('\n').flatMap((l) => l.split(',')).filter(Boolean).map(Number));
    // CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, DISCONNECT
    for (const t of [1, 2, 3, 4, 8, 9, 14]) expect(types, `MQTT type ${t} in ${out}`).toContain(t);
  });

  it('has valid IP and TCP checksums and no malformed packets', () => {
    const bad = tshark(['-r', pcap, ...decodeArgs, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-Y', 'ip.checksum.status == 0 || tcp.checksum.status == 0 || _ws.malformed || tcp.analysis.flags']);
    expect(bad.trim()).toBe('');
  });

  it('shows the console bytes as text and points each packet back to its evidence record', () => {
    const out = tshark(['-r', pcap, '-V', '-Y', 'data-text-lines']);
    expect(out).toContain('Login incorrect');
    const comments = tshark(['-r', pcap, '-T', 'fields', '-e', 'frame.comment']);
    const lines = comments.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) expect(l).toMatch(/^hil seq=\d+ channel=/);
  });
});
