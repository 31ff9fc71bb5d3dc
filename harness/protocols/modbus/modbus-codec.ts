/**
 * The one Modbus codec: PDU/ADU encoding, framing (MBAP for TCP, CRC-16 for RTU), response
 * validation and the names of function and exception codes, used by the channel, the fault
 * probes and the evidence decoder alike. Pure functions: no I/O.
 */

export const FUNCTION_NAMES: Record<number, string> = {
  1: 'Read Coils', 2: 'Read Discrete Inputs', 3: 'Read Holding Registers', 4: 'Read Input Registers',
  5: 'Write Single Coil', 6: 'Write Single Register', 7: 'Read Exception Status', 8: 'Diagnostics',
  11: 'Get Comm Event Counter', 15: 'Write Multiple Coils', 16: 'Write Multiple Registers', 17: 'Report Server ID',
  22: 'Mask Write Register', 23: 'Read/Write Multiple Registers', 43: 'Encapsulated Interface Transport',
};

/** Name of a function code; an exception response (bit 7 set) is named by its function. */
export function functionName(fc: number): string {
  return FUNCTION_NAMES[fc & 0x7f] ?? `Function 0x${(fc & 0x7f).toString(16).padStart(2, '0')}`;
}

export const EXCEPTION_NAMES: Record<number, string> = {
  0x01: 'ILLEGAL FUNCTION',
  0x02: 'ILLEGAL DATA ADDRESS',
  0x03: 'ILLEGAL DATA VALUE',
  0x04: 'SERVER DEVICE FAILURE',
  0x05: 'ACKNOWLEDGE',
  0x06: 'SERVER DEVICE BUSY',
  0x08: 'MEMORY PARITY ERROR',
  0x0a: 'GATEWAY PATH UNAVAILABLE',
  0x0b: 'GATEWAY TARGET DEVICE FAILED TO RESPOND',
};

export const exceptionName = (code: number): string => EXCEPTION_NAMES[code] ?? 'UNKNOWN EXCEPTION';
const hex2 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();
const fcName = (fc: number) => `FC${String(fc).padStart(2, '0')}`;
const TABLE: Record<number, string> = { 1: 'CO', 2: 'DI', 3: 'HR', 4: 'IR', 5: 'CO', 6: 'HR', 15: 'CO', 16: 'HR' };

export type ReadFc = 1 | 2 | 3 | 4;

export function readPdu(fc: ReadFc, address: number, count: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = fc;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(count, 3);
  return b;
}

export function writeRegisterPdu(address: number, value: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 6;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(value & 0xffff, 3);
  return b;
}

export function writeCoilPdu(address: number, value: boolean): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 5;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(value ? 0xff00 : 0x0000, 3);
  return b;
}

export function writeRegistersPdu(address: number, values: number[]): Buffer {
  const b = Buffer.alloc(6 + values.length * 2);
  b[0] = 16;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(values.length, 3);
  b[5] = values.length * 2;
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 6 + i * 2));
  return b;
}

/** Modbus TCP ADU: MBAP header (transaction id, protocol 0, length, unit id) + PDU. */
export function mbapFrame(tid: number, unit: number, pdu: Buffer): Buffer {
  const h = Buffer.alloc(7);
  h.writeUInt16BE(tid & 0xffff, 0);
  h.writeUInt16BE(0, 2);
  h.writeUInt16BE(pdu.length + 1, 4);
  h[6] = unit;
  return Buffer.concat([h, pdu]);
}

/** Largest MBAP length field read as framing (unit id + PDU; the standard allows 254, a little slack for odd devices). */
const MBAP_MAX_LENGTH = 260;

/** Splits a Modbus/TCP byte stream into ADUs by the MBAP length field; an incomplete tail stays in `rest`. */
export function splitMbap(buf: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let at = 0;
  while (buf.length - at >= 7) {
    const len = buf.readUInt16BE(at + 4);
    if (len < 1 || len > MBAP_MAX_LENGTH) return { frames, rest: Buffer.alloc(0) }; // not Modbus framing: drop rather than misparse
    if (buf.length - at < 6 + len) break;
    frames.push(buf.subarray(at, at + 6 + len));
    at += 6 + len;
  }
  return { frames, rest: buf.subarray(at) };
}

export function crc16(buf: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Modbus RTU ADU: unit id + PDU + CRC-16 (little endian). */
export function rtuFrame(unit: number, pdu: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([unit]), pdu]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16(body), 0);
  return Buffer.concat([body, crc]);
}

/**
 * Length of the RTU response at the head of `buf`, or 'need-more', or 'garbage' (function code
 * no Modbus response has).
 */
export function rtuResponseLength(buf: Buffer): number | 'need-more' | 'garbage' {
  if (buf.length < 2) return 'need-more';
  const fc = buf[1]!;
  if (fc & 0x80) return 5;
  if (fc >= 1 && fc <= 4) return buf.length < 3 ? 'need-more' : 5 + buf[2]!;
  if (fc === 5 || fc === 6 || fc === 15 || fc === 16) return 8;
  return 'garbage';
}

/** "FC06 write HR0=900", "FC03 read HR0..1". */
export function describeRequest(pdu: Buffer): string {
  const fc = pdu[0]!;
  if (pdu.length < 5) return `${fcName(fc)} (malformed request, ${pdu.length} bytes)`;
  const addr = pdu.readUInt16BE(1);
  const n = pdu.readUInt16BE(3);
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4:
      return `${fcName(fc)} read ${TABLE[fc]}${addr}${n > 1 ? `..${addr + n - 1}` : ''}`;
    case 5:
      return `${fcName(fc)} write CO${addr}=${n === 0xff00 ? 'ON' : n === 0 ? 'OFF' : `0x${n.toString(16)}`}`;
    case 6:
      return `${fcName(fc)} write HR${addr}=${n}`;
    case 16: {
      const vals: number[] = [];
      for (let i = 6; i + 1 < pdu.length; i += 2) vals.push(pdu.readUInt16BE(i));
      return `${fcName(fc)} write HR${addr}..${addr + n - 1}=[${vals.join(',')}]`;
    }
    default:
      return `${fcName(fc)} request`;
  }
}

export type PduCheck =
  | { ok: true; data: number[] | boolean[] | { address: number; value: number | boolean } | { address: number; count: number }; text: string }
  | { ok: false; kind: 'exception' | 'garbage'; exception?: number; message: string; text: string };

/** Validate a response PDU against its request PDU and decode it. */
export function checkResponse(req: Buffer, resp: Buffer): PduCheck {
  const fc = req[0]!;
  const rfc = resp[0];
  const garbage = (why: string): PduCheck => ({ ok: false, kind: 'garbage', message: `malformed Modbus response to ${fcName(fc)}: ${why}`, text: `garbage: ${why}` });
  if (rfc === undefined) return garbage('empty PDU');
  if (rfc === (fc | 0x80)) {
    if (resp.length !== 2) return garbage(`exception PDU of ${resp.length} bytes`);
    const code = resp[1]!;
    const text = `exception ${hex2(code)} ${exceptionName(code)} (${fcName(fc)})`;
    return { ok: false, kind: 'exception', exception: code, message: `Modbus ${text}`, text };
  }
  if (rfc !== fc) return garbage(`function code 0x${hex2(rfc)} does not match request`);
  const addr = req.readUInt16BE(1);
  const n = req.readUInt16BE(3);
  switch (fc) {
    case 1:
    case 2: {
      const bytes = Math.ceil(n / 8);
      if (resp.length < 2 || resp[1] !== bytes || resp.length !== 2 + bytes) return garbage(`byte count ${resp[1]} / length ${resp.length} for ${n} bits`);
      const bits: boolean[] = [];
      for (let i = 0; i < n; i++) bits.push(((resp[2 + (i >> 3)]! >> (i & 7)) & 1) === 1);
      return { ok: true, data: bits, text: `${fcName(fc)} ${TABLE[fc]}${addr}${n > 1 ? `..${addr + n - 1}` : ''} = [${bits.map((b) => (b ? 1 : 0)).join(',')}]` };
    }
    case 3:
    case 4: {
      if (resp.length < 2 || resp[1] !== n * 2 || resp.length !== 2 + n * 2) return garbage(`byte count ${resp[1]} / length ${resp.length} for ${n} registers`);
      const regs: number[] = [];
      for (let i = 0; i < n; i++) regs.push(resp.readUInt16BE(2 + i * 2));
      return { ok: true, data: regs, text: `${fcName(fc)} ${TABLE[fc]}${addr}${n > 1 ? `..${addr + n - 1}` : ''} = [${regs.join(',')}]` };
    }
    case 5:
    case 6:
      if (resp.length !== 5 || !resp.subarray(1).equals(req.subarray(1, 5))) return garbage('echo differs from request');
      return {
        ok: true,
        data: { address: addr, value: fc === 5 ? n === 0xff00 : n },
        text: `${fcName(fc)} ${TABLE[fc]}${addr}=${fc === 5 ? (n === 0xff00 ? 'ON' : 'OFF') : n} ok`,
      };
    case 15:
    case 16:
      if (resp.length !== 5 || resp.readUInt16BE(1) !== addr || resp.readUInt16BE(3) !== n) return garbage('address/quantity differ from request');
      return { ok: true, data: { address: addr, count: n }, text: `${fcName(fc)} ${TABLE[fc]}${addr}..${addr + n - 1} (${n}) ok` };
    default:
      return garbage('unsupported function code');
  }
}
