/**
 * The sampler thread's own connection to the independent monitor: one Modbus TCP socket, one
 * request at a time, each with a deadline, points grouped per table as FieldMonitor does. It
 * writes no evidence (the scenario's thread batches the samples into the evidence) and so needs
 * no channel context; that is why the worker does not reuse FieldMonitor.
 */
import { connect, type Socket } from 'node:net';
import type { MonitorChannel as MonitorConfig } from '../profile/target-schema.js';
import type { OpOptions } from '../protocols/transport/channel.js';
import { checkResponse, mbapFrame, readPdu, splitMbap, type ReadFc } from '../protocols/modbus/modbus-codec.js';
import type { MonitorRead } from '../protocols/monitor/monitor-channel.js';
import type { MonitorSource } from './sampler.js';

const FC: Record<string, ReadFc> = { coil: 1, discrete: 2, holding: 3, input: 4 };

/**
 * raw × scale with 16-bit registers as two's complement: FieldMonitor's engineeringValue, restated
 * here so the thread does not load the channel stack (its start-up is on the scenario's clock).
 */
const scaled = (scale: number, raw: number | boolean): number | boolean => (typeof raw === 'boolean' ? raw : (raw > 0x7fff ? raw - 0x10000 : raw) * scale);

export class MonitorReader implements MonitorSource {
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private tid = 0;
  private pending: ((frame: Buffer | Error) => void) | undefined;

  constructor(private readonly config: MonitorConfig) {}

  get pointNames(): string[] {
    return Object.keys(this.config.points);
  }

  async readAll(opts: OpOptions = {}): Promise<MonitorRead> {
    const at = Date.now();
    const fail = (message: string): MonitorRead => ({ ok: false, kind: 'timeout', message, at, elapsedMs: Date.now() - at });
    const byTable = new Map<string, string[]>();
    for (const [n, p] of Object.entries(this.config.points)) byTable.set(p.table, [...(byTable.get(p.table) ?? []), n]);
    const raw: Record<string, number | boolean> = {};
    const values: Record<string, number | boolean> = {};
    for (const [table, names] of byTable) {
      const addrs = names.map((n) => this.config.points[n]!.address);
      const lo = Math.min(...addrs);
      const span = Math.max(...addrs) - lo + 1;
      const limit = table === 'coil' || table === 'discrete' ? 2000 : 125;
      const groups: [number, number, string[]][] = span <= limit ? [[lo, span, names]] : names.map((n) => [this.config.points[n]!.address, 1, [n]]);
      for (const [start, count, members] of groups) {
        const req = readPdu(FC[table]!, start, count);
        let resp: Buffer;
        try {
          resp = await this.request(req, opts.timeoutMs ?? this.config.timeoutMs, opts.signal);
        } catch (e) {
          this.drop();
          return fail((e as Error).message);
        }
        const r = checkResponse(req, resp);
        if (!r.ok) return { ok: false, kind: r.kind, message: r.message, at, elapsedMs: Date.now() - at };
        const data = r.data as (number | boolean)[];
        for (const n of members) {
          const v = data[this.config.points[n]!.address - start]!;
          raw[n] = v;
          values[n] = scaled(this.config.points[n]!.scale, v);
        }
      }
    }
    return { ok: true, values, raw, at, elapsedMs: Date.now() - at };
  }

  close(): void {
    this.drop();
  }

  private async open(timeoutMs: number): Promise<Socket> {
    if (this.socket) return this.socket;
    const url = new URL(this.config.modbusTcp);
    const s = connect({ host: url.hostname, port: Number(url.port) || 502 });
    s.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => { s.destroy(); reject(new Error(`monitor connect to ${this.config.modbusTcp} timed out after ${timeoutMs} ms`)); }, timeoutMs);
      s.once('connect', () => { clearTimeout(t); resolve(); });
      s.once('error', (e) => { clearTimeout(t); reject(e); });
    });
    s.on('data', (chunk: Buffer) => {
      const { frames, rest } = splitMbap(Buffer.concat([this.buf, chunk]));
      this.buf = rest;
      for (const f of frames) if (f.readUInt16BE(0) === this.tid) this.pending?.(f.subarray(7));
    });
    const gone = () => { this.pending?.(new Error('monitor connection closed')); if (this.socket === s) this.socket = undefined; };
    s.on('error', gone);
    s.on('close', gone);
    this.socket = s;
    return s;
  }

  private async request(pdu: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
    const s = await this.open(timeoutMs);
    this.tid = (this.tid + 1) & 0xffff;
    return new Promise<Buffer>((resolve, reject) => {
      const done = (r: Buffer | Error) => {
        clearTimeout(t);
        signal?.removeEventListener('abort', onAbort);
        this.pending = undefined;
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      const onAbort = () => done(new Error('aborted'));
      const t = setTimeout(() => done(new Error(`monitor read timed out after ${timeoutMs} ms`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = done;
      s.write(mbapFrame(this.tid, this.config.unitId, pdu));
    });
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.buf = Buffer.alloc(0);
  }
}
