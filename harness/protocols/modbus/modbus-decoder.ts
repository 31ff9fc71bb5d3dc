/** Human-readable decoding of Modbus ADUs for report excerpts (not a validator: unknown PDUs are shown as hex). */

const FUNCTIONS: Record<number, string> = {
  1: 'Read Coils', 2: 'Read Discrete Inputs', 3: 'Read Holding Registers', 4: 'Read Input Registers',
  5: 'Write Single Coil', 6: 'Write Single Register', 7: 'Read Exception Status', 8: 'Diagnostics',
  11: 'Get Comm Event Counter', 15: 'Write Multiple Coils', 16: 'Write Multiple Registers', 17: 'Report Server ID',
  22: 'Mask Write Register', 23: 'Read/Write Multiple Registers', 43: 'Encapsulated Interface Transport',
};

export const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'Illegal Function', 2: 'Illegal Data Address', 3: 'Illegal Data Value', 4: 'Server Device Failure',
  5: 'Acknowledge', 6: 'Server Device Busy', 8: 'Memory Parity Error', 10: 'Gateway Path Unavailable',
  11: 'Gateway Target Failed to Respond',
};

export function functionName(fc: number): string {
  return FUNCTIONS[fc & 0x7f] ?? `Function 0x${(fc & 0x7f).toString(16).padStart(2, '0')}`;
}

/** Decode one PDU (function code + data). `isRequest` is the direction from the client's view. */
export function decodeModbusPdu(pdu: Buffer, isRequest: boolean): string {
  if (pdu.length === 0) return 'empty PDU';
  const fc = pdu[0]!;
  const name = `FC${fc & 0x7f} ${functionName(fc)}`;
  if (fc & 0x80) {
    const code = pdu[1] ?? 0;
    return `${name} exception ${code} ${MODBUS_EXCEPTIONS[code] ?? ''}`.trim();
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

/** Split a Modbus/TCP byte stream into ADUs by the MBAP length field; the rest waits for more bytes. */
export function splitMbap(buf: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let at = 0;
  while (buf.length - at >= 7) {
    const len = buf.readUInt16BE(at + 4);
    if (len < 1 || len > 260) return { frames, rest: Buffer.alloc(0) }; // not Modbus framing: drop rather than misparse
    if (buf.length - at < 6 + len) break;
    frames.push(buf.subarray(at, at + 6 + len));
    at += 6 + len;
  }
  return { frames, rest: buf.subarray(at) };
}

export function decodeMbap(adu: Buffer, isRequest: boolean): string {
  const tid = adu.readUInt16BE(0);
  const unit = adu[6]!;
  return `tid=${tid} unit=${unit} ${decodeModbusPdu(adu.subarray(7), isRequest)}`;
}

/** Modbus RTU frame: unit, PDU, CRC16 (the CRC is not checked here). */
export function decodeRtu(frame: Buffer, isRequest: boolean): string {
  if (frame.length < 4) return `short RTU frame ${frame.toString('hex')}`;
  return `unit=${frame[0]} ${decodeModbusPdu(frame.subarray(1, frame.length - 2), isRequest)}`;
}
