// The Modbus storm generator against real sockets: a small Modbus TCP server that answers, one that
// answers with exceptions or wrong frames, split frames across TCP segments, the asked rate as an
// upper bound, and the allocation-free verifier against the codec's own rules.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, test } from 'vitest';
import { runModbusStorm } from '../../harness/faults/modbus-storm.js';
import { LatencySeries } from '../../harness/faults/storm-connection.js';
import { EXCEPTION, MALFORMED, stormVerifier, VERIFIED } from '../../harness/faults/storm-verify.js';
import { stormWorkers } from '../../harness/faults/storm-workers.js';
import { checkResponse, readPdu, writeRegisterPdu } from '../../harness/protocols/modbus/modbus-codec.js';

type Answer = (tid: number, unit: number, pdu: Buffer) => Buffer;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

const frame = (tid: number, unit: number, pdu: Buffer) => {
  const h = Buffer.alloc(7);
  h.writeUInt16BE(tid, 0);
  h.writeUInt16BE(pdu.length + 1, 4);
  h[6] = unit;
  return Buffer.concat([h, pdu]);
};
const readAnswer: Answer = (tid, unit, pdu) => frame(tid, unit, Buffer.from([pdu[0]!, 2, 0x12, 0x34]));

/** A Modbus TCP server on loopback; `split` writes every answer in two segments. */
async function server(answer: Answer, opts: { split?: boolean } = {}): Promise<{ url: string; handled: () => number }> {
  let handled = 0;
  const sockets = new Set<Socket>();
  const s = createServer((c) => {
    sockets.add(c);
    c.on('error', () => undefined);
    let rx = Buffer.alloc(0);
    c.on('data', (d) => {
      rx = Buffer.concat([rx, d]);
      const out: Buffer[] = [];
      while (rx.length >= 7 && rx.length >= 6 + rx.readUInt16BE(4)) {
        const len = rx.readUInt16BE(4);
        out.push(answer(rx.readUInt16BE(0), rx[6]!, rx.subarray(7, 6 + len)));
        rx = rx.subarray(6 + len);
        handled++;
      }
      const all = Buffer.concat(out);
      if (!opts.split || all.length < 2) c.write(all);
      else {
        c.write(all.subarray(0, 3));
        setImmediate(() => c.writable && c.write(all.subarray(3)));
      }
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  const close = s.close.bind(s);
  s.close = ((cb?: (e?: Error) => void) => {
    for (const k of sockets) k.destroy();
    return close(cb);
  }) as typeof s.close;
  return { url: `tcp://127.0.0.1:${(s.address() as AddressInfo).port}`, handled: () => handled };
}

describe('verifier', () => {
  test('agrees with the codec on reads, writes, exceptions and garbage', () => {
    const cases: Array<[Buffer, Buffer]> = [
      [readPdu(3, 0, 1), Buffer.from([3, 2, 0, 7])],
      [readPdu(3, 0, 2), Buffer.from([3, 2, 0, 7])],
      [readPdu(3, 0, 1), Buffer.from([0x83, 2])],
      [readPdu(3, 0, 1), Buffer.from([0x83, 2, 0])],
      [readPdu(3, 0, 1), Buffer.from([4, 2, 0, 7])],
      [readPdu(1, 0, 9), Buffer.from([1, 2, 0xff, 1])],
      [readPdu(1, 0, 9), Buffer.from([1, 1, 0xff])],
      [writeRegisterPdu(5, 9), writeRegisterPdu(5, 9)],
      [writeRegisterPdu(5, 9), writeRegisterPdu(5, 8)],
      [readPdu(4, 1, 1), Buffer.alloc(0)],
    ];
    for (const [req, resp] of cases) {
      const want = checkResponse(req, resp);
      const padded = Buffer.concat([Buffer.from([9, 9, 9]), resp, Buffer.from([9])]);
      const got = stormVerifier(req)(padded, 3, resp.length);
      expect(got, `${req.toString('hex')} → ${resp.toString('hex')}`).toBe(want.ok ? VERIFIED : want.kind === 'exception' ? EXCEPTION : MALFORMED);
    }
  });

  test('latency percentiles', () => {
    const l = new LatencySeries();
    expect(l.percentile(50)).toBeUndefined();
    for (let i = 100_000; i >= 1; i--) l.push(i);
    expect(l.percentile(50)).toBe(50_000);
    expect(l.percentile(95)).toBe(95_000);
  });
});

describe('storm against a real socket', () => {
  test('flat out, pipelined, answers split across segments: every answer verified, server count matches', async () => {
    const s = await server(readAnswer, { split: true });
    const r = await runModbusStorm({ url: s.url, unitId: 1, ratePerSec: 1_000_000, durationMs: 600, connections: 3, maxInFlight: 32 });
    expect(r.connected).toBe(3);
    expect(r.sent).toBeGreaterThan(1000);
    expect(r.verifiedResponses).toBe(r.sent - r.unanswered);
    expect(r.malformed + r.exceptions).toBe(0);
    expect(s.handled()).toBeGreaterThanOrEqual(r.verifiedResponses);
    expect(r.latencyP50Ms).not.toBeNull();
    expect(r.throttled).toBeGreaterThan(0);
  });

  test('the asked rate is an upper bound, not a target overshot', async () => {
    const s = await server(readAnswer);
    const r = await runModbusStorm({ url: s.url, unitId: 1, ratePerSec: 400, durationMs: 1000, connections: 2 });
    expect(r.sent).toBeLessThanOrEqual(400);
    expect(r.sent).toBeGreaterThan(300);
    expect(r.verifiedResponses).toBe(r.sent);
    expect(r.throttled).toBeLessThan(100);
  });

  test('exceptions and wrong frames are counted, not verified', async () => {
    const exc = await server((tid, unit, pdu) => frame(tid, unit, Buffer.from([pdu[0]! | 0x80, 2])));
    const e = await runModbusStorm({ url: exc.url, unitId: 1, ratePerSec: 500, durationMs: 300, connections: 1 });
    expect(e.exceptions).toBeGreaterThan(0);
    expect(e.verifiedResponses).toBe(0);
    const bad = await server((tid, unit) => frame(tid, unit, Buffer.from([3, 4, 0, 1])));
    const b = await runModbusStorm({ url: bad.url, unitId: 1, ratePerSec: 500, durationMs: 300, connections: 1 });
    expect(b.malformed).toBeGreaterThan(0);
    expect(b.verifiedResponses).toBe(0);
  });

  test('nobody listening: no connection, no sends, the reason kept', async () => {
    const s = await server(readAnswer);
    const url = s.url;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const r = await runModbusStorm({ url, unitId: 1, ratePerSec: 500, durationMs: 200, connections: 2 });
    expect(r).toMatchObject({ connected: 0, sent: 0, verifiedResponses: 0 });
    expect(r.errors).toContain('ECONNREFUSED');
  });
});

describe('storm split over worker threads', () => {
  test('one worker per share: connections and rate split, counts summed, every answer verified', { timeout: 30_000 }, async () => {
    const s = await server(readAnswer);
    const r = await runModbusStorm({ url: s.url, unitId: 1, ratePerSec: 1_000_000, durationMs: 800, connections: 4, maxInFlight: 16, workers: 2 });
    expect(r.connections).toBe(4);
    expect(r.connected).toBe(4);
    expect(r.sent).toBeGreaterThan(1000);
    expect(r.verifiedResponses).toBe(r.sent - r.unanswered);
    expect(s.handled()).toBeGreaterThanOrEqual(r.verifiedResponses);
    expect(r.latencyP95Ms).not.toBeNull();
  });

  test('workers only when more is in flight than one thread keeps fed', () => {
    expect(stormWorkers(4, 64)).toBe(1);
    expect(stormWorkers(64, 64)).toBe(Math.min(availableParallelism(), 64));
    expect(stormWorkers(3, 1, 8)).toBe(3);
  });
});
