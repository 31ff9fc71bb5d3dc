// The Modbus register map shared by the main Modbus TCP and RTU servers and the field monitor.
// Fixed contract: target profiles reference these addresses.
import type { ProcessModel } from './process-model.ts';

export const HR = { heaterSetpoint: 0, valvePosition: 1 } as const;
export const COIL = { pumpOn: 0, heaterEnable: 1 } as const;
export const IR = { temperature: 0, heartbeat: 1, valveActual: 2, statusBits: 3 } as const;
export const FIELD_IR = {
  heaterOutput: 0, valveActual: 1, pumpOutput: 2, heartbeat: 3, temperature: 4, effectiveSetpoint: 5, safeState: 6,
} as const;
export const STATUS_BIT_SAFE_STATE = 0x0001;

/** Scaled values are stored as 16-bit two's complement so a negative accepted value reads back honestly. */
export const toU16 = (v: number) => Math.round(v) & 0xffff;
export const x10 = (v: number) => toU16(v * 10);

export function inputRegisters(model: ProcessModel): number[] {
  const s = model.snapshot();
  return [x10(s.temperature), s.heartbeat, toU16(s.actual.valvePosition), s.safeState ? STATUS_BIT_SAFE_STATE : 0];
}

export function fieldRegisters(model: ProcessModel): number[] {
  const s = model.snapshot();
  return [
    s.actual.heaterEnable ? 1 : 0,
    toU16(s.actual.valvePosition),
    s.actual.pumpOn ? 1 : 0,
    s.heartbeat,
    x10(s.temperature),
    x10(s.actual.heaterSetpoint),
    s.safeState ? 1 : 0,
  ];
}
