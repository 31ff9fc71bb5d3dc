// The hostile profile misbehaves reliably: noise instead of prompts, malformed or missing
// Modbus answers, broken MQTT handshakes, silent OPC UA and field monitor. Every client call
// here is bounded; the point is that a careful client gets an error, never a hang.
import { connect } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../simulators/gateway/index.ts';
import { hostileModbusTcp, type ModbusMisbehaviour } from '../../simulators/gateway/hostile-servers.ts';
import { needParts } from '../support/real-parts.ts';
import { closeModbus, hostPort, modbusRtuClient, modbusTcpClient, ptyConsole, sleep, tcpConsole, waitUntil } from './sim-test-kit.ts';

const parts = await needParts('socat');

describe.skipIf(parts.skip)('hostile profile', () => {
  let sim: Simulator;
  beforeAll(async () => { parts.assert(); sim = await startSimulator({ profile: 'hostile' }); });
  afterAll(async () => { await sim?.stop(); });

  test('endpoints have the same shape, OPC UA included without loading node-opcua', () => {
    expect(sim.endpoints.profile).toBe('hostile');
    expect(sim.endpoints.opcua).toMatch(/^opc\.tcp:/);
    expect(sim.endpoints.tcpPorts).toHaveLength(5);
  });

  test('console (TCP and pty) floods noise and never shows a clean prompt', async () => {
    // Stalls are part of the act, so wait (bounded) for enough noise rather than a fixed time.
    const c = await tcpConsole(sim.endpoints.console.tcp);
    c.reader.send('admin\r');
    await waitUntil(() => c.reader.buf.length > 200, 4000);
    c.close();
    const p = await ptyConsole(sim.endpoints.console.pty!);
    await waitUntil(() => p.reader.buf.length > 200, 4000);
    await p.close();
    for (const text of [c.reader.buf, p.reader.buf]) {
      expect(text.length).toBeGreaterThan(200);
      expect(text).not.toMatch(/GW-SIM login: $|@gw-sim\][#$] $/m);
      expect(text).toMatch(/\x1b\[|[\x00-\x08\x80-\xff]/);
    }
  });

  test('Modbus TCP: every request fails within the client timeout, and the client survives', async () => {
    const c = await modbusTcpClient(sim.endpoints.modbusTcp, 300).catch((e) => e as Error);
    if (c instanceof Error) return; // a reset during connect is also a valid misbehaviour
    let failures = 0;
    for (let i = 0; i < 6; i++) {
      const t0 = Date.now();
      try { await c.readHoldingRegisters(0, 2); } catch { failures++; }
      expect(Date.now() - t0).toBeLessThan(1500);
    }
    expect(failures).toBeGreaterThanOrEqual(5);
    await closeModbus(c);
  });

  test('Modbus misbehaviour sequence is reproducible from the seed', async () => {
    const run = async () => {
      const seen: ModbusMisbehaviour[] = [];
      const srv = await hostileModbusTcp('127.0.0.1', 0, 42, (m) => seen.push(m));
      for (let i = 0; i < 6; i++) {
        const s = connect(srv.port, '127.0.0.1');
        s.on('error', () => {});
        await new Promise((r) => s.once('connect', r));
        s.write(Buffer.from([0, i, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]));
        await sleep(30);
        s.destroy();
      }
      await srv.close();
      return seen;
    };
    const a = await run(), b = await run();
    expect(a).toHaveLength(6);
    expect(a).toEqual(b);
  });

  test('Modbus RTU answers garbage (CRC errors or timeouts, never a valid frame)', async () => {
    const c = await modbusRtuClient(sim.endpoints.modbusRtu!.pty, sim.endpoints.modbusRtu!.baudRate, 400);
    await expect(c.readHoldingRegisters(0, 2)).rejects.toBeTruthy();
    await closeModbus(c);
  });

  test('MQTT connect fails (closed, malformed CONNACK or stall) within the connect timeout', async () => {
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      await expect(mqtt.connectAsync(sim.endpoints.mqtt, { reconnectPeriod: 0, connectTimeout: 800, protocolVersion: 4 }, false)).rejects.toBeTruthy();
      expect(Date.now() - t0).toBeLessThan(2000);
    }
  });

  test('field monitor and OPC UA accept and stall', async () => {
    const f = await modbusTcpClient(sim.endpoints.fieldMonitor, 300);
    await expect(f.readInputRegisters(0, 7)).rejects.toMatchObject({ errno: 'ETIMEDOUT' });
    await closeModbus(f);
    const { host, port } = hostPort(sim.endpoints.opcua!.replace('opc.tcp:', 'tcp:'));
    const s = connect(port, host);
    let got = 0;
    s.on('data', (d) => { got += d.length; });
    await new Promise((r) => s.once('connect', r));
    s.write(Buffer.from('HELF\x1c\x00\x00\x00', 'latin1'));
    await sleep(300);
    expect(got).toBe(0);
    s.destroy();
  });
});
