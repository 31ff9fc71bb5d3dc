// Main Modbus TCP and RTU servers (modbus-serial) over the process model, with the configured
// out-of-range reaction, and the helper that binds a modbus-serial ServerTCP to a free port.
import { ServerTCP, ServerSerial } from 'modbus-serial';
import type { AlertSink } from './alerts.ts';
import type { MasterSource, ProcessModel } from './process-model.ts';
import { checkPointValue, type WritablePoint } from './points.ts';
import type { RangeReaction } from './sim-config.ts';
import { probeFreePort } from './net-listen.ts';
import { COIL, HR, inputRegisters, toU16, x10 } from './modbus-register-map.ts';

/** A thrown error with `modbusErrorCode` becomes that Modbus exception in modbus-serial servers. */
export const modbusException = (code: number, msg: string) => Object.assign(new Error(msg), { modbusErrorCode: code });
export const ILLEGAL_FUNCTION = 0x01, ILLEGAL_ADDRESS = 0x02, ILLEGAL_VALUE = 0x03;

export type ModbusVector = ConstructorParameters<typeof ServerTCP>[0];

const HR_POINTS: Record<number, { point: WritablePoint; scale: number }> = {
  [HR.heaterSetpoint]: { point: 'heaterSetpoint', scale: 10 },
  [HR.valvePosition]: { point: 'valvePosition', scale: 1 },
};
const COIL_POINTS: Record<number, WritablePoint> = { [COIL.pumpOn]: 'pumpOn', [COIL.heaterEnable]: 'heaterEnable' };

export interface MainVectorDeps {
  model: ProcessModel;
  reaction: RangeReaction;
  alerts: AlertSink;
  source: MasterSource;
  /** Switch fc16BypassesRangeCheck: FC16 stores whatever it is sent while FC06 still checks. */
  fc16Bypass?: boolean;
}

export function mainModbusVector({ model, reaction, alerts, source, fc16Bypass }: MainVectorDeps): ModbusVector {
  const traffic = () => model.masterTraffic(source);
  /** Checks one raw register write; throws exception 02/03 or returns the engineering value to store. */
  const check = (addr: number, raw: number): { point: WritablePoint; value: number } => {
    const hr = HR_POINTS[addr];
    if (!hr) throw modbusException(ILLEGAL_ADDRESS, `no holding register ${addr}`);
    const r = checkPointValue(hr.point, raw / hr.scale, reaction);
    if (!r.ok) {
      alerts.raise({ event: 'command-rejected', surface: 'modbus', point: hr.point, raw, reason: r.reason });
      throw modbusException(ILLEGAL_VALUE, `${hr.point} out of range`);
    }
    return { point: hr.point, value: r.value as number };
  };
  /** The flawed FC16 path: the address is still mapped, the value is stored as sent. */
  const unchecked = (addr: number, raw: number): { point: WritablePoint; value: number } => {
    const hr = HR_POINTS[addr];
    if (!hr) throw modbusException(ILLEGAL_ADDRESS, `no holding register ${addr}`);
    const r = checkPointValue(hr.point, raw / hr.scale, 'accept');
    return { point: hr.point, value: r.ok ? (r.value as number) : raw / hr.scale };
  };
  // Plain (non-default, non-rest) parameters matter: modbus-serial picks sync vs callback style by fn.length.
  return {
    getHoldingRegister(addr: number) {
      traffic();
      const hr = HR_POINTS[addr];
      if (!hr) throw modbusException(ILLEGAL_ADDRESS, `no holding register ${addr}`);
      const v = model.commanded[hr.point] as number;
      return hr.scale === 10 ? x10(v) : toU16(v);
    },
    getInputRegister(addr: number) {
      traffic();
      const regs = inputRegisters(model);
      if (addr >= regs.length) throw modbusException(ILLEGAL_ADDRESS, `no input register ${addr}`);
      return regs[addr]!;
    },
    getCoil(addr: number) {
      traffic();
      const p = COIL_POINTS[addr];
      if (!p) throw modbusException(ILLEGAL_ADDRESS, `no coil ${addr}`);
      return model.commanded[p] as boolean;
    },
    getDiscreteInput(addr: number) {
      traffic();
      throw modbusException(ILLEGAL_ADDRESS, `no discrete input ${addr}`);
    },
    setRegister(addr: number, value: number) {
      traffic();
      const w = check(addr, value);
      model.write(w.point, w.value);
    },
    // FC16: validate every register first so one bad value rejects the whole write (nothing stored).
    setRegisterArray(addr: number, values: number[]) {
      traffic();
      const writes = values.map((v, i) => (fc16Bypass ? unchecked(addr + i, v) : check(addr + i, v)));
      for (const w of writes) model.write(w.point, w.value);
    },
    setCoil(addr: number, value: boolean) {
      traffic();
      const p = COIL_POINTS[addr];
      if (!p) throw modbusException(ILLEGAL_ADDRESS, `no coil ${addr}`);
      model.write(p, value);
    },
  } as unknown as ModbusVector;
}

export interface ModbusTcpServer { port: number; close(): Promise<void> }

/**
 * modbus-serial's ServerTCP treats port 0 as 502, so for 'auto' we probe a free port and retry
 * when another process grabs it between probe and bind.
 */
export async function startModbusTcp(vector: ModbusVector, host: string, port: number | undefined): Promise<ModbusTcpServer> {
  for (let attempt = 0; ; attempt++) {
    const p = port ?? (await probeFreePort(host));
    const server = new ServerTCP(vector, { host, port: p, unitID: 1 });
    server.on('socketError', () => { /* client resets are normal */ });
    server.on('error', () => { /* vector errors are answered as exceptions */ });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('initialized', () => resolve());
        server.once('serverError', (e: unknown) => reject(e));
      });
    } catch (e) {
      await new Promise<void>((r) => server.close(() => r()));
      if (port === undefined && (e as NodeJS.ErrnoException)?.code === 'EADDRINUSE' && attempt < 5) continue;
      throw e;
    }
    let closing: Promise<void> | undefined;
    return {
      port: p,
      close: () => (closing ??= new Promise<void>((r) => server.close(() => r()))),
    };
  }
}

export interface ModbusRtuServer { close(): Promise<void> }

/** RTU slave on the sim end of a pty. Note: ServerSerial does not verify the request CRC (upstream #560). */
export async function startModbusRtu(vector: ModbusVector, simSidePty: string, baudRate: number): Promise<ModbusRtuServer> {
  let server!: InstanceType<typeof ServerSerial>;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Modbus RTU server did not open ${simSidePty}`)), 5000);
    // openCallback receives open errors that would otherwise be an unhandled 'error' on the port.
    const openCallback = (e: Error | null) => { if (e) { clearTimeout(t); reject(e); } };
    server = new ServerSerial(vector, { path: simSidePty, baudRate, unitID: 1, interval: 10, openCallback } as ConstructorParameters<typeof ServerSerial>[1]);
    server.on('error', () => { /* answered as exceptions */ });
    server.on('socketError', () => { /* pty hiccups */ });
    server.once('initialized', () => { clearTimeout(t); resolve(); });
  });
  let closing: Promise<void> | undefined;
  return { close: () => (closing ??= new Promise<void>((r) => server.close(() => r()))) };
}
