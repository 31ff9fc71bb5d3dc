/**
 * Wireshark "exported PDU" framing (LINKTYPE_WIRESHARK_UPPER_PDU): a tag list naming the
 * dissector, then the bytes. Console bytes are not IP traffic; this puts them in the capture
 * unaltered, shown by tshark's line-based text dissector (or the Modbus RTU dissector for RTU lines).
 */
const TAG_END = 0;
const TAG_DISSECTOR_NAME = 12;
const TAG_COL_PROT_TEXT = 33;
const TAG_P2P_DIRECTION = 35;

function tag(type: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const b = Buffer.alloc(4 + value.length + pad);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(value.length + pad, 2);
  value.copy(b, 4);
  return b;
}

export function exportedPdu(dissector: string, payload: Buffer, opts: { protocolColumn?: string; sent?: boolean } = {}): Buffer {
  const tags = [tag(TAG_DISSECTOR_NAME, Buffer.from(dissector))];
  if (opts.protocolColumn) tags.push(tag(TAG_COL_PROT_TEXT, Buffer.from(opts.protocolColumn)));
  if (opts.sent !== undefined) {
    const d = Buffer.alloc(4);
    d.writeUInt32BE(opts.sent ? 0 : 1, 0); // P2P_DIR_SENT = 0, P2P_DIR_RECV = 1
    tags.push(tag(TAG_P2P_DIRECTION, d));
  }
  return Buffer.concat([...tags, Buffer.from([0, TAG_END, 0, 0]), payload]);
}
