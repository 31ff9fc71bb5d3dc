/** OPC UA binary chunk headers, for excerpts. Service-level detail comes from the channel's own text records. */
import type { EvidenceDecoder } from '../capabilities/evidence-decoder.js';

const MESSAGE_TYPES: Record<string, string> = { HEL: 'Hello', ACK: 'Acknowledge', ERR: 'Error', RHE: 'ReverseHello', OPN: 'OpenSecureChannel', MSG: 'Message', CLO: 'CloseSecureChannel' };

export function decodeOpcuaChunk(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  const type = b.subarray(0, 3).toString('latin1');
  const name = MESSAGE_TYPES[type];
  if (!name) return undefined;
  const size = b.readUInt32LE(4);
  if (type === 'ERR' && b.length >= 12) return `${type} ${name} status=0x${b.readUInt32LE(8).toString(16).padStart(8, '0')} (${size} B)`;
  return `${type} ${name} chunk=${String.fromCharCode(b[3]!)} (${size} B)`;
}

/** Each record is read as one chunk (a Hello, an OpenSecureChannel): its header is what excerpts show. */
export const opcuaDecoder: EvidenceDecoder = {
  wireshark: { tcp: { dissector: 'opcua', port: 4840 } },
  decode: (unit: Buffer) => {
    const text = decodeOpcuaChunk(unit);
    return text === undefined ? undefined : { text };
  },
};
