/**
 * One pipelined Modbus TCP connection of the storm, written for the hot loop: the request frame is
 * built once and copied into one buffer per batch (one write() for all the requests that fit), the
 * transaction ids index typed arrays of send times instead of a Map, and answers are parsed straight
 * out of the received chunk. Nothing is allocated per request except the batch buffer's share.
 */
import type { Socket } from 'node:net';
import { mbapFrame } from '../protocols/modbus/modbus-codec.js';
import { EXCEPTION, VERIFIED, type StormCheck } from './storm-verify.js';

/** Counters shared by all connections of one storm (plain numbers: one thread touches them). */
export interface StormCounters {
  sent: number;
  verified: number;
  exceptions: number;
  malformed: number;
  /** Requests whose transaction id came round again unanswered (counted as unanswered). */
  lost: number;
  errors: Set<string>;
  latencies: LatencySeries;
}

/** Growable Float64Array of latencies (ms). */
export class LatencySeries {
  private buf = new Float64Array(1 << 14);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  /** A copy of the samples. */
  values(): Float64Array {
    return this.buf.slice(0, this.length);
  }
  /** Nearest-rank percentile; undefined when empty. */
  percentile(p: number): number | undefined {
    if (!this.length) return undefined;
    const sorted = this.buf.slice(0, this.length).sort();
    return sorted[Math.min(this.length, Math.max(1, Math.ceil((p / 100) * this.length))) - 1];
  }
}

export function newCounters(): StormCounters {
  return { sent: 0, verified: 0, exceptions: 0, malformed: 0, lost: 0, errors: new Set(), latencies: new LatencySeries() };
}

export class StormConnection {
  open = false;
  inFlight = 0;
  private tid = 0;
  private readonly sentAt = new Float64Array(65536);
  private readonly pending = new Uint8Array(65536);
  private readonly frame: Buffer;
  private rest: Buffer | null = null;

  constructor(
    readonly sock: Socket,
    unitId: number,
    pdu: Buffer,
    readonly maxInFlight: number,
    private readonly verify: (buf: Buffer, at: number, len: number) => StormCheck,
    private readonly c: StormCounters,
    /** Called after answers were taken off, so the storm can refill the freed room. */
    private readonly onRoom: (conn: StormConnection) => void,
  ) {
    this.frame = mbapFrame(0, unitId, pdu);
    sock.on('data', (b: Buffer) => this.receive(b));
  }

  get room(): number {
    return this.open ? this.maxInFlight - this.inFlight : 0;
  }

  /** Sends `k` requests in one write; `now` stamps them all (one clock read per batch). */
  send(k: number, now: number): void {
    if (k <= 0) return;
    const fl = this.frame.length;
    const out = Buffer.allocUnsafe(k * fl);
    for (let i = 0, o = 0; i < k; i++, o += fl) {
      this.frame.copy(out, o);
      const tid = (this.tid = (this.tid + 1) & 0xffff);
      out[o] = tid >> 8;
      out[o + 1] = tid & 0xff;
      if (this.pending[tid]) {
        this.c.lost++;
        this.inFlight--;
      }
      this.pending[tid] = 1;
      this.sentAt[tid] = now;
    }
    this.inFlight += k;
    this.c.sent += k;
    this.sock.write(out);
  }

  private receive(chunk: Buffer): void {
    let b = chunk;
    if (this.rest) {
      b = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    const now = performance.now();
    const c = this.c;
    let at = 0;
    while (b.length - at >= 7) {
      const len = (b[at + 4]! << 8) | b[at + 5]!;
      if (b[at + 2] !== 0 || b[at + 3] !== 0 || len < 2 || len > 254) {
        c.malformed++;
        c.errors.add('bad MBAP header');
        at = b.length; // resynchronising inside a stream is guesswork: drop the rest of the chunk
        break;
      }
      if (b.length - at < 6 + len) break;
      const tid = (b[at]! << 8) | b[at + 1]!;
      if (!this.pending[tid]) c.malformed++;
      else {
        this.pending[tid] = 0;
        this.inFlight--;
        c.latencies.push(now - this.sentAt[tid]!);
        const v = this.verify(b, at + 7, len - 1);
        if (v === VERIFIED) c.verified++;
        else if (v === EXCEPTION) c.exceptions++;
        else c.malformed++;
      }
      at += 6 + len;
    }
    if (at < b.length) this.rest = Buffer.from(b.subarray(at));
    this.onRoom(this);
  }
}
