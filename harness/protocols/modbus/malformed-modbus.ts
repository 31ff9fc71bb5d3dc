/**
 * Malformed Modbus frames for robustness probes (CR 3.5 / L2.021 anomaly handling). A robust
 * device answers with an exception, drops the frame or closes the connection, and keeps running.
 * RTU: a frame with a wrong CRC must be discarded. Note: a modbus-serial ServerSerial (the
 * simulator's RTU server) does not check the request CRC at all (yaacov/node-modbus-serial#560),
 * so an answer to the bad-CRC case is recorded as an observation, not a verdict.
 */
import { sleep } from '../../core/deadline.js';
import type { TargetProfile } from '../../profile/target-schema.js';
import { noise, type MalformedCase, type MalformedInputCapability, type MalformedSession } from '../capabilities/malformed-input.js';
import { crc16, mbapFrame, readPdu } from './modbus-codec.js';
import { ModbusChannel } from './modbus-channel.js';

const mbap = (tid: number, protocol: number, length: number, unit: number, body: Buffer) => {
  const h = Buffer.alloc(7);
  h.writeUInt16BE(tid, 0);
  h.writeUInt16BE(protocol, 2);
  h.writeUInt16BE(length, 4);
  h[6] = unit;
  return Buffer.concat([h, body]);
};

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

/** The register a valid request reads: the first writable declared holding register (else coil), else HR 0. */
function probeRegister(t: TargetProfile): { table: 'holding' | 'coil'; address: number } {
  const mapped = Object.values(t.policy.points).filter((p) => p.writable && (p.modbus?.table === 'holding' || p.modbus?.table === 'coil'));
  const p = mapped.find((x) => x.modbus!.table === 'holding') ?? mapped[0];
  return p ? { table: p.modbus!.table as 'holding' | 'coil', address: p.modbus!.address } : { table: 'holding', address: 0 };
}

/** Inter-frame silence before a valid RTU request, so the line resynchronises after noise. */
const RTU_RESYNC_MS = 100;

export const malformedModbus: MalformedInputCapability = {
  async open(t, iface, opts, ctx): Promise<MalformedSession> {
    const mb = t.interfaces.modbus!;
    const reg = probeRegister(t);
    if (iface === 'modbus-rtu') {
      const rtu = await ModbusChannel.openRtu(mb.rtu!, mb.unitId, ctx, { requestTimeoutMs: mb.timeoutMs });
      return {
        cases: malformedModbusRtuCases(mb.unitId, reg.address),
        async send(c) {
          const r = await rtu.sendRaw(c.bytes, { waitMs: opts.reactionWaitMs, text: `malformed: ${c.name}` });
          const observations = /CRC/.test(c.name) && r.rx.length
            ? [{ name: 'rtuAnsweredBadCrc', value: true, note: `observation: the device answered a frame with a wrong CRC (${r.rx.toString('hex')}); a device must discard it (modbus-serial ServerSerial does not check CRCs, upstream #560)` }]
            : [];
          return { text: r.rx.length ? `answered ${r.rx.toString('hex').slice(0, 40)}` : 'no answer', observations };
        },
        async alive() {
          await sleep(RTU_RESYNC_MS, opts.signal);
          return (await rtu.read(reg.table, reg.address, 1)).ok;
        },
        close: () => rtu.close(),
      };
    }
    // TCP: each case on a fresh connection (a robust device may drop it); the valid request on a standing one.
    const control = await ModbusChannel.openTcp(mb.tcp!, mb.unitId, ctx);
    return {
      cases: malformedModbusTcpCases(mb.unitId, reg.address),
      async send(c) {
        const ch = await ModbusChannel.openTcp(mb.tcp!, mb.unitId, ctx, { requestTimeoutMs: opts.reactionWaitMs });
        try {
          const r = await ch.sendRaw(c.bytes, { waitMs: opts.reactionWaitMs, text: `malformed: ${c.name}`, endOnFrame: true });
          return { text: r.closed ? `connection closed${r.rx.length ? ` after ${r.rx.length} bytes` : ''}` : r.rx.length ? `answered ${r.rx.toString('hex').slice(0, 40)}` : 'no answer' };
        } finally {
          await ch.close();
        }
      },
      async alive() {
        return (await control.read(reg.table, reg.address, 1)).ok;
      },
      close: () => control.close(),
    };
  },
};
