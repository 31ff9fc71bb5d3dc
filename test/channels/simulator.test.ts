// Channels against the simulated gateway over real sockets and socat ptys.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConsoleChannel } from '../../harness/protocols/console/console-channel.js';
import { FieldMonitor } from '../../harness/protocols/monitor/monitor-channel.js';
import { ModbusChannel } from '../../harness/protocols/modbus/modbus-channel.js';
import { MqttChannel } from '../../harness/protocols/mqtt/mqtt-channel.js';
import { scanTcp } from '../../harness/protocols/network/port-probe.js';
import { MonitorChannel, MqttInterface } from '../../harness/profile/target-schema.js';
import { DEFAULT_ADMIN_PASSWORD, DEFAULT_OPERATOR_PASSWORD, SIM_ACCOUNT_NAMES, startSimulator, type Simulator } from '../../simulators/gateway/index.js';

/** The simulator keeps separate account databases for the console and for MQTT/OPC UA. */
const CON = SIM_ACCOUNT_NAMES.console;
const NET = SIM_ACCOUNT_NAMES.network;
import { haveBinary, simConsoleInterface, makeEvidence, startAll, type TestEvidence } from './helpers.js';

const ADMIN_PW = process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
const OP_PW = process.env.HIL_SIM_OPERATOR_PASSWORD || DEFAULT_OPERATOR_PASSWORD;
const hasSocat = haveBinary('socat', '-V');


const monitorConfig = (url: string) =>
  MonitorChannel.parse({
    modbusTcp: url,
    points: {
      heaterOutput: { address: 0 },
      valveActual: { address: 1 },
      pumpOutput: { address: 2 },
      heartbeat: { address: 3 },
      temperature: { address: 4, scale: 0.1 },
      effectiveSetpoint: { address: 5, scale: 0.1 },
      safeState: { address: 6 },
    },
  });

describe.skipIf(!hasSocat)('channels against the simulated gateway', () => {
  let hardened: Simulator;
  let weak: Simulator;
  let ev: TestEvidence;
  beforeAll(async () => {
    [hardened, weak] = (await startAll([() => startSimulator({ profile: 'hardened' }), () => startSimulator({ profile: 'weak' })])) as [Simulator, Simulator];
    ev = makeEvidence();
  });
  afterAll(async () => {
    await Promise.all([hardened?.stop(), weak?.stop()]);
    ev?.cleanup();
  });

  test('console over the socat pty: admin login, status, logout; wrong password fails; no password in evidence', async () => {
    const ch = await ConsoleChannel.open(simConsoleInterface(hardened.endpoints.console.pty!), { evidence: ev.evidence });
    try {
      const bad = await ch.login(CON.operator, 'definitely-wrong');
      expect(bad).toMatchObject({ outcome: 'failure', promptSeen: 'failure' });
      const r = await ch.login(CON.admin, ADMIN_PW);
      expect(r).toMatchObject({ outcome: 'shell', promptSeen: 'adminShell' });
      const st = await ch.run('show status');
      expect(st.output).toMatch(/heaterSetpoint: [\d.]+ degC/);
      expect(st.output).not.toContain('show status');
      expect(await ch.logout()).toMatchObject({ ok: true, promptSeen: 'login' });
    } finally {
      await ch.close();
    }
    expect(ev.fullText()).not.toContain(ADMIN_PW);
  });

  test('console over raw TCP (weak): operator login gets the user shell', async () => {
    const ch = await ConsoleChannel.open(simConsoleInterface(weak.endpoints.console.tcp), { evidence: ev.evidence });
    try {
      expect(await ch.login(CON.operator, OP_PW)).toMatchObject({ outcome: 'shell', shellLevel: 'user' });
      expect((await ch.run('show status')).output).toMatch(/heaterSetpoint/);
    } finally {
      await ch.close();
    }
  });

  test('Modbus TCP (hardened): in-range write takes effect, out-of-range is exception 03 and not applied', async () => {
    const mb = await ModbusChannel.openTcp(hardened.endpoints.modbusTcp, 1, { evidence: ev.evidence });
    try {
      const before = await mb.readHolding(0, 1);
      expect(before.ok).toBe(true);
      expect(await mb.writeRegister(0, 755)).toMatchObject({ ok: true });
      expect(await mb.readHolding(0, 1)).toMatchObject({ ok: true, data: [755] });
      expect(await mb.writeRegister(0, 900)).toMatchObject({ ok: false, kind: 'exception', exception: 3 });
      expect(await mb.writeRegisters(0, [100, 500])).toMatchObject({ ok: false, kind: 'exception', exception: 3 });
      expect(await mb.readHolding(0, 1)).toMatchObject({ ok: true, data: [755] });
      if (before.ok) await mb.writeRegister(0, before.data[0]!);
    } finally {
      await mb.close();
    }
  });

  test('Modbus RTU over the socat pty', async () => {
    const { pty, unitId, baudRate } = hardened.endpoints.modbusRtu!;
    const mb = await ModbusChannel.openRtu({ device: pty, baudRate, parity: 'none', stopBits: 1, dataBits: 8 }, unitId, { evidence: ev.evidence }, { requestTimeoutMs: 1000 });
    try {
      const r = await mb.readHolding(0, 2);
      expect(r.ok).toBe(true);
      expect(await mb.writeRegister(1, 101)).toMatchObject({ ok: false, exception: 3 });
    } finally {
      await mb.close();
    }
  });

  test('field monitor: readAll scales the points, effectiveSetpoint follows HR0', async () => {
    const mb = await ModbusChannel.openTcp(hardened.endpoints.modbusTcp, 1, { evidence: ev.evidence });
    const mon = await FieldMonitor.open(monitorConfig(hardened.endpoints.fieldMonitor), { evidence: ev.evidence });
    try {
      const hr = await mb.readHolding(0, 1);
      const r = await mon.readAll();
      expect(r.ok).toBe(true);
      if (r.ok && hr.ok) {
        expect(Object.keys(r.values)).toHaveLength(7);
        expect(r.values.effectiveSetpoint).toBeCloseTo(hr.data[0]! / 10, 1);
      }
      for (let i = 0; i < 50; i++) expect((await mon.readPoint('heartbeat')).ok).toBe(true);
      expect(ev.records().filter((x) => x.channel === 'monitor' && x.dir === 'sample').length).toBeGreaterThanOrEqual(51);
      expect(ev.records().filter((x) => x.channel === 'monitor' && (x.dir === 'tx' || x.dir === 'rx'))).toHaveLength(0);
    } finally {
      await mon.close();
      await mb.close();
    }
  });

  test('MQTT (hardened, TLS with the simulator CA): ACL via SUBACK 0x80 and connection close; command delivery; bad password', async () => {
    const e = hardened.endpoints;
    const topics = { telemetry: 'gw/gw-sim-01/telemetry', command: 'gw/gw-sim-01/cmd', status: 'gw/gw-sim-01/status' };
    const iface = MqttInterface.parse({ url: e.mqtt, tls: { rejectUnauthorized: true, caFile: e.mqttCaFile }, topics, timeoutMs: 3000 });
    const ctx = { evidence: ev.evidence };
    const bad = await MqttChannel.connect(iface, { username: NET.operator, password: 'nope-nope' }, ctx);
    expect(bad).toMatchObject({ ok: false, kind: 'rejected', connack: { code: 4 } });
    const op = await MqttChannel.connect(iface, { username: NET.operator, password: OP_PW }, ctx);
    const ad = await MqttChannel.connect(iface, { username: NET.admin, password: ADMIN_PW }, ctx);
    try {
      if (!op.ok || !ad.ok) throw new Error(`connect failed: ${JSON.stringify([op, ad].map((x) => (x.ok ? 'ok' : x.error)))}`);
      expect(await op.channel.subscribe(topics.status)).toMatchObject({ ok: true });
      expect(await op.channel.subscribe(topics.command)).toMatchObject({ ok: false, outcome: 'rejected', granted: 0x80 });
      const status = op.channel.expectMessage(topics.status, () => true, 3000);
      expect(await ad.channel.publish(topics.command, JSON.stringify({ point: 'valvePosition', value: 40 }), { qos: 1 })).toMatchObject({ outcome: 'acked' });
      expect(await status).toBeDefined();
      expect(await op.channel.publish(topics.command, '{"point":"valvePosition","value":10}', { qos: 1 })).toMatchObject({ outcome: 'connection-closed' });
    } finally {
      if (op.ok) await op.channel.close();
      if (ad.ok) await ad.channel.close();
    }
    expect(ev.fullText()).not.toContain(OP_PW);
  });

  test('MQTT (weak, plaintext): anonymous is accepted', async () => {
    const iface = MqttInterface.parse({ url: weak.endpoints.mqtt, topics: { telemetry: 'gw/gw-sim-01/telemetry', command: 'gw/gw-sim-01/cmd' } });
    const r = await MqttChannel.connect(iface, { anonymous: true }, { evidence: ev.evidence });
    expect(r).toMatchObject({ ok: true, connack: { code: 0 } });
    if (r.ok) await r.channel.close();
  });

  test('port probe sees every simulator TCP port open', async () => {
    const r = await scanTcp('127.0.0.1', hardened.endpoints.tcpPorts, { timeoutMs: 500 }, { evidence: ev.evidence });
    expect(r.open).toEqual([...hardened.endpoints.tcpPorts].sort((a, b) => a - b));
  });
});
