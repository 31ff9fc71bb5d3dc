/**
 * Point access over Modbus TCP or RTU, from the profile's per-point `modbus` addressing (table,
 * address, scale). Only holding registers take FC06/FC16 range probes; coils carry booleans.
 */
import type { ChannelContext } from '../transport/channel.js';
import { ModbusChannel, type ModbusResult } from './modbus-channel.js';
import type { ModbusInterface, Point } from '../../profile/target-schema.js';
import type { PointAccess, PointRef, ReadOutcome, WriteMethod, WriteOutcome } from '../capabilities/point-access.js';

type ModbusMap = NonNullable<Point['modbus']>;

const hex = (v: number) => `0x${v.toString(16).padStart(4, '0')}`;

/**
 * Engineering value → the 16-bit word that goes on the wire. A register has no sign: a negative
 * raw value (min-1 of a 0..max point) is sent in two's complement (-10 → 0xFFF6), which is exactly
 * what an attacker or a buggy master sends; the device may read it as 65526 (unsigned), so that
 * reading is returned as an alternative interpretation for the oracle.
 */
export function encodeRegister(value: number, scale: number): { word: number; interpretations: number[] } | undefined {
  const raw = Math.round(value / scale);
  if (raw < -0x8000 || raw > 0xffff) return undefined;
  const word = raw & 0xffff;
  const other = raw < 0 ? word : raw > 0x7fff ? raw - 0x10000 : undefined;
  return { word, interpretations: other === undefined ? [] : [other * scale] };
}

/** 16-bit word → engineering value; signed unless the declared range needs the upper half. */
export function decodeRegister(word: number, m: ModbusMap, spec: Point): number {
  const unsigned = spec.max !== undefined && spec.max / m.scale > 0x7fff;
  const raw = !unsigned && word > 0x7fff ? word - 0x10000 : word;
  // Round away float noise of raw * 0.1.
  return Number((raw * m.scale).toPrecision(12));
}

export class ModbusPointAccess implements PointAccess {
  private constructor(
    readonly path: 'modbus-tcp' | 'modbus-rtu',
    private readonly mb: ModbusChannel,
    private readonly points: Record<string, Point>,
  ) {}

  static async open(iface: ModbusInterface, mode: 'tcp' | 'rtu', points: Record<string, Point>, ctx: ChannelContext): Promise<ModbusPointAccess> {
    const mb = await ModbusChannel.open(iface, mode, ctx);
    return new ModbusPointAccess(mode === 'tcp' ? 'modbus-tcp' : 'modbus-rtu', mb, points);
  }

  unsupported(p: PointRef): string | undefined {
    if (!p.spec.modbus) return 'no Modbus address declared';
    if (p.spec.modbus.table !== 'holding') return `declared in the ${p.spec.modbus.table} table, which FC06/FC16 cannot write`;
    return undefined;
  }

  /** FC06, then FC16 — over a declared neighbour register when there is one, so the bad value is not alone (or not first). */
  methods(p: PointRef): WriteMethod[] {
    return ['fc06', this.neighbour(p) ? 'fc16-array' : 'fc16'];
  }

  wrongTypeUnsupported(): string {
    return 'Modbus registers carry 16-bit words only: there is no wrong type to send';
  }

  resolution(p: PointRef): number {
    return p.spec.modbus?.scale ?? 1;
  }

  async read(p: PointRef): Promise<ReadOutcome> {
    const m = p.spec.modbus!;
    const r = await this.mb.readHolding(m.address, 1);
    if (!r.ok) return { ok: false, error: `FC03 HR${m.address}: ${r.message}` };
    const word = r.data[0]!;
    const value = decodeRegister(word, m, p.spec);
    return { ok: true, value, text: `HR${m.address}=${hex(word)} (${value})` };
  }

  async write(p: PointRef, value: number | string, method: WriteMethod = 'fc06'): Promise<WriteOutcome> {
    if (typeof value !== 'number') throw new Error(this.wrongTypeUnsupported());
    const m = p.spec.modbus!;
    const enc = encodeRegister(value, m.scale);
    if (!enc) throw new Error(`${value} cannot be encoded in one 16-bit register at scale ${m.scale}`);
    let sent: string;
    let r: ModbusResult<unknown>;
    if (method === 'fc06') {
      sent = `FC06 HR${m.address} = ${hex(enc.word)}`;
      r = await this.mb.writeRegister(m.address, enc.word);
    } else {
      const n = method === 'fc16-array' ? this.neighbour(p) : undefined;
      if (!n) {
        sent = `FC16 HR${m.address} = [${hex(enc.word)}]`;
        r = await this.mb.writeRegisters(m.address, [enc.word]);
      } else {
        // The neighbour gets its own current value back, so whatever the device does with a partial
        // write, only the probed point can change.
        const cur = await this.mb.readHolding(n.address, 1);
        if (!cur.ok) return { replyRejected: undefined, reply: 'neighbour read failed', sent: `FC03 HR${n.address}`, failure: cur.message };
        const words = n.address < m.address ? [cur.data[0]!, enc.word] : [enc.word, cur.data[0]!];
        const start = Math.min(n.address, m.address);
        sent = `FC16 HR${start}..${start + 1} = [${words.map(hex).join(', ')}] (HR${n.address} = ${n.name}, unchanged)`;
        r = await this.mb.writeRegisters(start, words);
      }
    }
    const base = { sent, ...(enc.interpretations.length ? { interpretations: enc.interpretations } : {}) };
    if (r.ok) return { ...base, replyRejected: false, reply: 'normal response (echo)' };
    if (r.kind === 'exception') {
      const code = `exception ${String(r.exception).padStart(2, '0')} ${r.exceptionName ?? ''}`.trim();
      return { ...base, replyRejected: true, code, reply: code, ...(m.rejectCodes.includes(r.exception ?? -1) ? {} : { undeclaredCode: true }) };
    }
    return { ...base, replyRejected: undefined, reply: r.kind, failure: r.message };
  }

  close(): Promise<void> {
    return this.mb.close();
  }

  private neighbour(p: PointRef): { name: string; address: number } | undefined {
    const a = p.spec.modbus!.address;
    const others = Object.entries(this.points)
      .filter(([name, s]) => name !== p.name && s.modbus?.table === 'holding' && s.writable)
      .map(([name, s]) => ({ name, address: s.modbus!.address }));
    return others.find((o) => o.address === a - 1) ?? others.find((o) => o.address === a + 1);
  }
}
