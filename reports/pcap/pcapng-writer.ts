/**
 * Minimal pcapng writer (little-endian): Section Header, Interface Description and Enhanced
 * Packet blocks with comments, per draft-ietf-opsawg-pcapng. Timestamps are in nanoseconds
 * (if_tsresol = 9) because evidence carries CLOCK_MONOTONIC ns.
 */
export const LINKTYPE = { ETHERNET: 1, WIRESHARK_UPPER_PDU: 252 } as const;

const OPT_COMMENT = 1;

function option(code: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const b = Buffer.alloc(4 + value.length + pad);
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(value.length, 2);
  value.copy(b, 4);
  return b;
}

function options(list: [number, Buffer][]): Buffer {
  if (!list.length) return Buffer.alloc(0);
  return Buffer.concat([...list.map(([c, v]) => option(c, v)), Buffer.alloc(4) /* opt_endofopt */]);
}

function block(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

export interface InterfaceSpec {
  linktype: number;
  name: string;
  description?: string;
}

export interface PacketSpec {
  iface: number;
  tsNs: bigint;
  data: Buffer;
  comment?: string;
  /** epb_flags direction: 1 inbound (device to harness), 2 outbound (harness to device). */
  direction?: 1 | 2;
}

export class PcapngWriter {
  private readonly blocks: Buffer[] = [];
  private interfaces = 0;

  constructor(shb: { comment?: string; userAppl?: string; os?: string }) {
    const head = Buffer.alloc(16);
    head.writeUInt32LE(0x1a2b3c4d, 0);
    head.writeUInt16LE(1, 4);
    head.writeUInt16LE(0, 6);
    head.writeBigInt64LE(-1n, 8); // section length not specified
    const opts: [number, Buffer][] = [];
    if (shb.comment) opts.push([OPT_COMMENT, Buffer.from(shb.comment)]);
    if (shb.os) opts.push([3, Buffer.from(shb.os)]);
    if (shb.userAppl) opts.push([4, Buffer.from(shb.userAppl)]);
    this.blocks.push(block(0x0a0d0d0a, Buffer.concat([head, options(opts)])));
  }

  addInterface(spec: InterfaceSpec): number {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(spec.linktype, 0);
    head.writeUInt32LE(0, 4); // snaplen: no limit
    const opts: [number, Buffer][] = [[2, Buffer.from(spec.name)]];
    if (spec.description) opts.push([3, Buffer.from(spec.description)]);
    opts.push([9, Buffer.from([9])]); // if_tsresol: 10^-9 s
    this.blocks.push(block(1, Buffer.concat([head, options(opts)])));
    return this.interfaces++;
  }

  addPacket(p: PacketSpec): void {
    const head = Buffer.alloc(20);
    head.writeUInt32LE(p.iface, 0);
    head.writeUInt32LE(Number((p.tsNs >> 32n) & 0xffffffffn), 4);
    head.writeUInt32LE(Number(p.tsNs & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(p.data.length, 16);
    const pad = Buffer.alloc((4 - (p.data.length % 4)) % 4);
    const opts: [number, Buffer][] = [];
    if (p.comment) opts.push([OPT_COMMENT, Buffer.from(p.comment)]);
    if (p.direction) {
      const f = Buffer.alloc(4);
      f.writeUInt32LE(p.direction, 0);
      opts.push([2, f]);
    }
    this.blocks.push(block(6, Buffer.concat([head, p.data, pad, options(opts)])));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.blocks);
  }
}
