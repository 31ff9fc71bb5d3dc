/**
 * Verdict on one Modbus response in the storm's hot loop without allocating: the same structural
 * rules as the codec's checkResponse (exception shape, echoed function code, byte count for reads,
 * echo for single writes, address/quantity for multiple writes), read straight out of the receive
 * buffer. checkResponse also renders a text for evidence, which at tens of thousands of answers a
 * second was most of the generator's time.
 */
import { checkResponse } from '../protocols/modbus/modbus-codec.js';

export const VERIFIED = 0;
export const EXCEPTION = 1;
export const MALFORMED = 2;
export type StormCheck = typeof VERIFIED | typeof EXCEPTION | typeof MALFORMED;

/** Returns a checker of the response PDU at buf[at .. at+len) to request `pdu`. */
export function stormVerifier(pdu: Buffer): (buf: Buffer, at: number, len: number) => StormCheck {
  const fc = pdu[0]!;
  const n = pdu.length >= 5 ? pdu.readUInt16BE(3) : 0;
  const exceptionFc = fc | 0x80;
  const readBytes = fc === 1 || fc === 2 ? Math.ceil(n / 8) : fc === 3 || fc === 4 ? n * 2 : -1;
  const head = (buf: Buffer, at: number, len: number): StormCheck | undefined => {
    if (len < 1) return MALFORMED;
    const rfc = buf[at]!;
    if (rfc === exceptionFc) return len === 2 ? EXCEPTION : MALFORMED;
    if (rfc !== fc) return MALFORMED;
    return undefined;
  };
  if (readBytes >= 0)
    return (buf, at, len) => head(buf, at, len) ?? (len === 2 + readBytes && buf[at + 1] === readBytes ? VERIFIED : MALFORMED);
  if (fc === 5 || fc === 6)
    return (buf, at, len) => head(buf, at, len) ?? (len === 5 && buf.compare(pdu, 1, 5, at + 1, at + 5) === 0 ? VERIFIED : MALFORMED);
  if (fc === 15 || fc === 16)
    return (buf, at, len) => head(buf, at, len) ?? (len === 5 && buf.compare(pdu, 1, 5, at + 1, at + 5) === 0 ? VERIFIED : MALFORMED);
  // Anything else: the codec's own rules (slow path; the storm sends reads and writes only).
  return (buf, at, len) => {
    const r = checkResponse(pdu, Buffer.from(buf.subarray(at, at + len)));
    return r.ok ? VERIFIED : r.kind === 'exception' ? EXCEPTION : MALFORMED;
  };
}
