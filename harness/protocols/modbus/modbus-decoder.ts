/**
 * Modbus evidence decoder: one readable line per ADU for report excerpts (not a validator: unknown
 * PDUs are shown as hex). Framing and code names come from the codec.
 */
import type { DecodeStream, EvidenceDecoder } from '../capabilities/evidence-decoder.js';
import { exceptionName, functionName, splitMbap } from './modbus-codec.js';

/** One PDU (function code + data). `isRequest` is the direction from the client's view. */
export function decodeModbusPdu(pdu: Buffer, isRequest: boolean): string {
  if (pdu.length === 0) return 'empty PDU';
  const fc = pdu[0]!;
  const name = `FC${fc & 0x7f} ${functionName(fc)}`;
  if (fc & 0x80) {
    const code = pdu[1] ?? 0;
    return `${name} exception ${code} ${exceptionName(code)}`;
  }
  const u16 = (o: number) => (pdu.length >= o + 2 ? pdu.readUInt16BE(o) : NaN);
  if (isRequest) {
    if (fc >= 1 && fc <= 4) return `${name} addr=${u16(1)} qty=${u16(3)}`;
    if (fc === 5) return `${name} addr=${u16(1)} value=${u16(3) === 0xff00 ? 'ON' : 'OFF'}`;
    if (fc === 6) return `${name} addr=${u16(1)} value=${u16(3)}`;
    if (fc === 15) return `${name} addr=${u16(1)} qty=${u16(3)}`;
    if (fc === 16) {
      const qty = u16(3);
      const values = [];
      for (let i = 0; i < qty && 6 + i * 2 + 2 <= pdu.length; i++) values.push(pdu.readUInt16BE(6 + i * 2));
      return `${name} addr=${u16(1)} values=[${values.join(',')}]`;
    }
    return `${name} data=${pdu.subarray(1).toString('hex')}`;
  }
  if (fc >= 1 && fc <= 2) return `${name} response bytes=${pdu[1]} bits=${pdu.subarray(2).toString('hex')}`;
  if (fc >= 3 && fc <= 4) {
    const values = [];
    for (let o = 2; o + 2 <= pdu.length; o += 2) values.push(pdu.readUInt16BE(o));
    return `${name} response values=[${values.join(',')}]`;
  }
  if (fc === 5 || fc === 6) return `${name} response addr=${u16(1)} value=${u16(3)}`;
  if (fc === 15 || fc === 16) return `${name} response addr=${u16(1)} qty=${u16(3)}`;
  return `${name} response data=${pdu.subarray(1).toString('hex')}`;
}

/** Modbus TCP ADU: MBAP header, then the PDU. */
export function decodeMbap(adu: Buffer, isRequest: boolean): string {
  return `tid=${adu.readUInt16BE(0)} unit=${adu[6]!} ${decodeModbusPdu(adu.subarray(7), isRequest)}`;
}

/** Modbus RTU frame: unit, PDU, CRC16 (the CRC is not checked here). */
export function decodeRtu(frame: Buffer, isRequest: boolean): string {
  if (frame.length < 4) return `short RTU frame ${frame.toString('hex')}`;
  return `unit=${frame[0]} ${decodeModbusPdu(frame.subarray(1, frame.length - 2), isRequest)}`;
}

/**
 * TCP streams are split by the MBAP length; on a serial line each record is taken as one RTU frame
 * (the channel writes a request in one write and logs each reply frame as one record).
 */
export const modbusDecoder: EvidenceDecoder = {
  wireshark: { tcp: { dissector: 'mbtcp', port: 502 }, serial: { dissector: 'mbrtu', column: 'Modbus/RTU' } },
  split: (buf: Buffer, stream: DecodeStream) => {
    if (stream.transport === 'serial') return { units: buf.length ? [buf] : [], rest: Buffer.alloc(0) };
    const { frames, rest } = splitMbap(buf);
    return { units: frames, rest };
  },
  decode: (unit: Buffer, stream: DecodeStream) => ({ text: stream.transport === 'serial' ? decodeRtu(unit, stream.request) : decodeMbap(unit, stream.request) }),
};
