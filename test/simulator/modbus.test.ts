// Modbus TCP/RTU range reactions (FC06/FC16), register map, field monitor and the comm-loss
// watchdog, through the real modbus-serial client over real sockets and ptys.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../simulators/gateway/index.ts';
import { needParts } from '../support/real-parts.ts';
import { closeModbus, modbusRtuClient, modbusTcpClient, sleep, waitUntil, type ModbusClient } from './sim-test-kit.ts';

const parts = await needParts('socat');

async function exceptionCode(p: Promise<unknown>): Promise<number | string> {
  try { await p; return 'no exception'; } catch (e) { return (e as { modbusCode?: number; errno?: string }).modbusCode ?? (e as { errno?: string }).errno ?? String(e); }
}

describe.skipIf(parts.skip)('Modbus range reactions', () => {
  const sims: Simulator[] = [];
  const clients: ModbusClient[] = [];
  const start = async (profile: 'hardened' | 'weak', modbus?: 'reject' | 'clamp' | 'accept') => {
    const sim = await startSimulator({ profile, opcua: false, config: modbus ? { switches: { rangeCheck: { modbus } } } : undefined });
    sims.push(sim);
    const c = await modbusTcpClient(sim.endpoints.modbusTcp);
    clients.push(c);
    return { sim, c };
  };
  beforeAll(() => parts.assert());
  afterAll(async () => {
    for (const c of clients) await closeModbus(c);
    for (const s of sims) await s.stop();
  });

  test('hardened (reject): FC06 and FC16 out of range -> exception 3, nothing stored', async () => {
    const { sim, c } = await start('hardened');
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([450, 30]);
    await c.writeRegister(0, 555); // positive control: in range takes effect
    expect((await c.readHoldingRegisters(0, 1)).data).toEqual([555]);
    expect(await exceptionCode(c.writeRegister(0, 801))).toBe(3);
    expect(await exceptionCode(c.writeRegisters(0, [600, 101]))).toBe(3); // second value bad -> whole write rejected
    expect(await exceptionCode(c.writeRegisters(0, [9000, 50]))).toBe(3);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([555, 30]);
    expect(sim.model.commanded.heaterSetpoint).toBe(55.5);
    expect(sim.alerts.log.some((a) => a.event === 'command-rejected' && a.surface === 'modbus')).toBe(true);
  });

  test('fc16BypassesRangeCheck: FC06 still rejects, FC16 stores the out-of-range value', async () => {
    const sim = await startSimulator({ profile: 'hardened', opcua: false, config: { switches: { fc16BypassesRangeCheck: true } } });
    sims.push(sim);
    const c = await modbusTcpClient(sim.endpoints.modbusTcp);
    clients.push(c);
    expect(await exceptionCode(c.writeRegister(0, 801))).toBe(3);
    expect(sim.model.commanded.heaterSetpoint).toBe(45);
    await c.writeRegisters(0, [801, 30]);
    expect(sim.model.commanded.heaterSetpoint).toBe(80.1);
    expect(await exceptionCode(c.writeRegisters(7, [1]))).toBe(2); // unmapped stays unmapped
  });

  test('unmapped addresses -> exception 2; coils and input registers map as documented', async () => {
    const { sim, c } = await start('hardened');
    expect(await exceptionCode(c.readHoldingRegisters(5, 1))).toBe(2);
    expect(await exceptionCode(c.writeRegister(7, 1))).toBe(2);
    expect(await exceptionCode(c.readCoils(5, 1))).toBe(2);
    expect((await c.readCoils(0, 2)).data.slice(0, 2)).toEqual([true, true]);
    await c.writeCoil(0, false);
    expect(sim.model.commanded.pumpOn).toBe(false);
    const ir = (await c.readInputRegisters(0, 4)).data;
    expect(ir[0]).toBeGreaterThanOrEqual(195); // temperature x10 starting near ambient
    expect(ir[2]).toBe(30);
    const hb1 = (await c.readInputRegisters(1, 1)).data[0]!;
    await sleep(350);
    expect((await c.readInputRegisters(1, 1)).data[0]! - hb1).toBeGreaterThanOrEqual(2);
  });

  test('clamp: stored at the range limit with a normal reply', async () => {
    const { c } = await start('hardened', 'clamp');
    await c.writeRegister(0, 900);
    await c.writeRegisters(0, [850, 250]);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([800, 100]);
  });

  test('weak (accept): the process really takes the out-of-range value', async () => {
    const { sim, c } = await start('weak');
    await c.writeRegisters(0, [1200, 150]);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([1200, 150]);
    expect(sim.model.actual.heaterSetpoint).toBe(120);
  });
});

describe.skipIf(parts.skip)('Modbus RTU over a pty', () => {
  let sim: Simulator;
  let c: ModbusClient;
  beforeAll(async () => {
    parts.assert();
    sim = await startSimulator({ profile: 'hardened', opcua: false });
    c = await modbusRtuClient(sim.endpoints.modbusRtu!.pty, sim.endpoints.modbusRtu!.baudRate);
  });
  afterAll(async () => { await closeModbus(c); await sim.stop(); });

  test('reads, writes and rejects like Modbus TCP', async () => {
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([450, 30]);
    await c.writeRegister(1, 75);
    expect(await exceptionCode(c.writeRegisters(0, [100, 101]))).toBe(3);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([450, 75]);
    expect(sim.model.commanded.valvePosition).toBe(75);
  });
});

describe.skipIf(parts.skip)('field monitor and comm-loss watchdog', () => {
  const sims: Simulator[] = [];
  const clients: ModbusClient[] = [];
  beforeAll(() => parts.assert());
  afterAll(async () => {
    for (const c of clients) await closeModbus(c);
    for (const s of sims) await s.stop();
  });
  const setup = async (profile: 'hardened' | 'weak') => {
    const sim = await startSimulator({ profile, opcua: false, config: { params: { watchdogMs: 600 } } });
    sims.push(sim);
    const master = await modbusTcpClient(sim.endpoints.modbusTcp);
    const field = await modbusTcpClient(sim.endpoints.fieldMonitor);
    clients.push(master, field);
    return { sim, master, field };
  };

  test('hardened: outputs reach the safe values within the watchdog period, then recover', async () => {
    const { sim, master, field } = await setup('hardened');
    // Keep the master alive and check the field sees the commanded outputs.
    await master.writeRegisters(0, [500, 40]);
    await master.writeCoil(0, true);
    const live = (await field.readInputRegisters(0, 7)).data;
    expect(live).toEqual([1, 40, 1, live[3], live[4], 500, 0]);
    // Field-monitor polling must not feed the watchdog: only the field is polled from here on.
    const stoppedAt = Date.now();
    const elapsed = await waitUntil(async () => {
      const r = (await field.readInputRegisters(0, 7)).data;
      return r[0] === 0 && r[1] === 0 && r[2] === 0 && r[5] === 0 && r[6] === 1;
    }, 3000, 25);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(600 + 300);
    expect((await master.readInputRegisters(3, 1)).data[0]! & 1).toBe(0); // master back: recovered
    expect((await field.readInputRegisters(0, 7)).data.slice(0, 3)).toEqual([1, 40, 1]);
    expect(sim.alerts.log.some((a) => a.event === 'safe-state')).toBe(true);
    // FC03 mirror and read-only-ness of the field monitor
    expect((await field.readHoldingRegisters(1, 1)).data).toEqual([40]);
    expect(await exceptionCode(field.writeRegister(0, 1))).toBe(1);
  });

  test('weak: the heater stays on (unsafe value held) after the master stops', async () => {
    const { sim, master, field } = await setup('weak');
    await master.readHoldingRegisters(0, 1);
    await sleep(1000);
    const r = (await field.readInputRegisters(0, 7)).data;
    expect(r[6]).toBe(1); // the weak gateway notices comm loss ...
    expect(r[0]).toBe(1); // ... but holds the heater on
    expect(r[1]).toBe(30);
    expect(sim.model.safeState).toBe(true);
  });
});
