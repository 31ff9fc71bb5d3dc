/**
 * Malformed Modbus frames for robustness probes (CR 3.5 / L2.021 anomaly handling). A robust
 * device answers with an exception, drops the frame or closes the connection, and keeps running.
 * RTU: a frame with a wrong CRC must be discarded. Note: a modbus-serial ServerSerial (the
 * simulator's RTU server) does not check the request CRC at all (yaacov/node-modbus-serial#560),
 * so an answer to the bad-CRC case is recorded as an observation, not a verdict.
 */
import { crc16, mbapFrame, readPdu } from './modbus-codec.js';

export interface MalformedCase {
  name: string;
  bytes: Buffer;
}

const mbap = (tid: number, protocol: number, length: number, unit: number, body: Buffer) => {
  const h = Buffer.alloc(7);
  h.writeUInt16BE(tid, 0);
  h.writeUInt16BE(protocol, 2);
  h.writeUInt16BE(length, 4);
  h[6] = unit;
  return Buffer.concat([h, body]);
};

/** Deterministic noise (the same bytes every run, so evidence can be compared across firmware). */
export function noise(len: number, seed = 7): Buffer {
  const b = Buffer.alloc(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

export function malformedModbusTcpCases(unit: number, address: number): MalformedCase[] {
  const read = readPdu(3, address, 1);
  return [
    { name: 'MBAP length larger than the frame', bytes: mbap(0x4d01, 0, 200, unit, read) },
    { name: 'MBAP length 1 (no function code)', bytes: mbap(0x4d02, 0, 1, unit, Buffer.alloc(0)) },
    { name: 'MBAP protocol id not 0', bytes: mbap(0x4d03, 0x1234, read.length + 1, unit, read) },
    { name: 'unknown function code 0x63', bytes: mbapFrame(0x4d04, unit, Buffer.from([0x63, 0, 0, 0, 1])) },
    { name: 'truncated request (header and function code only)', bytes: mbap(0x4d05, 0, 6, unit, Buffer.from([0x03])) },
    { name: 'FC03 quantity 0', bytes: mbapFrame(0x4d06, unit, readPdu(3, address, 0)) },
    { name: 'FC03 quantity 2000 (max 125)', bytes: mbapFrame(0x4d07, unit, readPdu(3, address, 2000)) },
    { name: 'oversized ADU (length 0xFFFF, 4 KiB of bytes)', bytes: Buffer.concat([mbap(0x4d08, 0, 0xffff, unit, Buffer.from([0x10])), noise(4096, 11)]) },
    { name: 'binary noise (512 bytes)', bytes: noise(512, 13) },
  ];
}

export function malformedModbusRtuCases(unit: number, address: number): MalformedCase[] {
  const body = Buffer.concat([Buffer.from([unit]), readPdu(3, address, 1)]);
  const good = crc16(body);
  const bad = Buffer.alloc(2);
  bad.writeUInt16LE(good ^ 0xbeef, 0);
  return [
    { name: 'RTU frame with a wrong CRC', bytes: Buffer.concat([body, bad]) },
    { name: 'RTU truncated frame (no CRC)', bytes: body },
    { name: 'RTU binary noise (256 bytes)', bytes: noise(256, 17) },
  ];
}
