/**
 * Modbus TCP and RTU client written on ByteTransport, so the evidence holds the exact ADU bytes
 * (MBAP+PDU or RTU frame with CRC) with decoded summaries, and malformed frames can be sent for fault
 * injection (sendRaw). Device behaviour (exception codes, silence, garbage, a close mid-frame) comes
 * back as a ModbusResult; only setup problems and run cancellation throw.
 * Requests are serialised (one transaction in flight), each with its own deadline.
 */
import type { ModbusInterface } from '../../profile/target-schema.js';
import { ByteTransport } from '../transport/byte-transport.js';
import { ChannelError, opSignal, printable, type ChannelContext, type OpOptions } from '../transport/channel.js';
import {
  checkResponse,
  crc16,
  describeRequest,
  exceptionName,
  mbapFrame,
  readPdu,
  rtuFrame,
  rtuResponseLength,
  writeCoilPdu,
  writeRegisterPdu,
  writeRegistersPdu,
  type ReadFc,
} from './modbus-codec.js';

export type ModbusFailureKind = 'exception' | 'timeout' | 'closed' | 'garbage';
export type ModbusResult<T> =
  | { ok: true; data: T; elapsedMs: number }
  | { ok: false; kind: ModbusFailureKind; exception?: number; exceptionName?: string; message: string; elapsedMs: number };

export interface ModbusOpenOptions extends OpOptions {
  /** Default per-request deadline (ms); timeoutMs above is the connect deadline. */
  requestTimeoutMs?: number;
  /** 'bytes' (default): every ADU as tx/rx records. 'none': only failures (for high-rate sampling). */
  log?: 'bytes' | 'none';
  /** Evidence channel name (default modbus-tcp / modbus-rtu). */
  channel?: string;
}

export type RtuConfig = NonNullable<ModbusInterface['rtu']>;

const DEFAULT_REQUEST_MS = 1000;

export class ModbusChannel {
  /** Unit id used for the next requests. */
  unitId: number;
  private rx = Buffer.alloc(0);
  private tid = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private onFrameBytes: (() => void) | undefined;

  private constructor(
    readonly mode: 'tcp' | 'rtu',
    unitId: number,
    private readonly ctx: ChannelContext,
    private readonly transport: ByteTransport,
    private readonly opts: ModbusOpenOptions,
  ) {
    this.unitId = unitId;
    transport.onData((b) => {
      this.rx = Buffer.concat([this.rx, b]);
      this.onFrameBytes?.();
    });
    transport.onClose(() => this.onFrameBytes?.());
  }

  /** Connect to tcp://host:port. Throws ChannelError refused/timeout/setup. */
  static async openTcp(url: string, unitId: number, ctx: ChannelContext, opts: ModbusOpenOptions = {}): Promise<ModbusChannel> {
    const t = await ByteTransport.open(url.startsWith('tcp://') ? url : `tcp://${url}`, ctx, {
      ...opts,
      channel: opts.channel ?? 'modbus-tcp',
      protocol: 'modbus',
      logRx: false,
    });
    return new ModbusChannel('tcp', unitId, ctx, t, opts);
  }

  /** Open the RTU serial line (device path or tcp:// of an RTU-over-TCP serial server). */
  static async openRtu(rtu: RtuConfig, unitId: number, ctx: ChannelContext, opts: ModbusOpenOptions = {}): Promise<ModbusChannel> {
    const t = await ByteTransport.open(rtu.device, ctx, {
      ...opts,
      channel: opts.channel ?? 'modbus-rtu',
      protocol: 'modbus',
      logRx: false,
      baudRate: rtu.baudRate,
      parity: rtu.parity,
      stopBits: rtu.stopBits,
      dataBits: rtu.dataBits,
    });
    return new ModbusChannel('rtu', unitId, ctx, t, opts);
  }

  /** Open from the profile's ModbusInterface (request timeout from the profile). */
  static open(iface: ModbusInterface, mode: 'tcp' | 'rtu', ctx: ChannelContext, opts: ModbusOpenOptions = {}): Promise<ModbusChannel> {
    const o = { requestTimeoutMs: iface.timeoutMs, ...opts };
    if (mode === 'tcp') {
      if (!iface.tcp) throw new ChannelError('setup', 'profile has no modbus.tcp');
      return ModbusChannel.openTcp(iface.tcp, iface.unitId, ctx, o);
    }
    if (!iface.rtu) throw new ChannelError('setup', 'profile has no modbus.rtu');
    return ModbusChannel.openRtu(iface.rtu, iface.unitId, ctx, o);
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  get conn(): string {
    return this.transport.conn;
  }

  readHolding(address: number, count = 1, opts?: OpOptions): Promise<ModbusResult<number[]>> {
    return this.request(readPdu(3, address, count), opts) as Promise<ModbusResult<number[]>>;
  }

  readInput(address: number, count = 1, opts?: OpOptions): Promise<ModbusResult<number[]>> {
    return this.request(readPdu(4, address, count), opts) as Promise<ModbusResult<number[]>>;
  }

  readCoils(address: number, count = 1, opts?: OpOptions): Promise<ModbusResult<boolean[]>> {
    return this.request(readPdu(1, address, count), opts) as Promise<ModbusResult<boolean[]>>;
  }

  readDiscreteInputs(address: number, count = 1, opts?: OpOptions): Promise<ModbusResult<boolean[]>> {
    return this.request(readPdu(2, address, count), opts) as Promise<ModbusResult<boolean[]>>;
  }

  /** Read any table (used by the monitor). */
  read(table: 'holding' | 'input' | 'coil' | 'discrete', address: number, count = 1, opts?: OpOptions): Promise<ModbusResult<number[] | boolean[]>> {
    const fc: ReadFc = table === 'coil' ? 1 : table === 'discrete' ? 2 : table === 'holding' ? 3 : 4;
    return this.request(readPdu(fc, address, count), opts) as Promise<ModbusResult<number[] | boolean[]>>;
  }

  /** FC06 write single holding register. */
  writeRegister(address: number, value: number, opts?: OpOptions): Promise<ModbusResult<{ address: number; value: number }>> {
    return this.request(writeRegisterPdu(address, value), opts) as Promise<ModbusResult<{ address: number; value: number }>>;
  }

  /** FC16 write multiple holding registers. */
  writeRegisters(address: number, values: number[], opts?: OpOptions): Promise<ModbusResult<{ address: number; count: number }>> {
    return this.request(writeRegistersPdu(address, values), opts) as Promise<ModbusResult<{ address: number; count: number }>>;
  }

  /** FC05 write single coil. */
  writeCoil(address: number, value: boolean, opts?: OpOptions): Promise<ModbusResult<{ address: number; value: boolean }>> {
    return this.request(writeCoilPdu(address, value), opts) as Promise<ModbusResult<{ address: number; value: boolean }>>;
  }

  /**
   * Fault injection: write `bytes` exactly as given (no framing added) and collect whatever comes
   * back within waitMs (default: the request timeout). Logged as tx/rx. With `endOnFrame` (Modbus
   * TCP), the wait ends as soon as one whole MBAP frame has come back: the device has reacted, and
   * a silent one is still waited out in full.
   */
  sendRaw(bytes: Uint8Array, opts: OpOptions & { waitMs?: number; text?: string; endOnFrame?: boolean } = {}): Promise<{ rx: Buffer; closed: boolean }> {
    return this.serialised(async () => {
      this.drainStale();
      if (this.transport.closed) return { rx: Buffer.alloc(0), closed: true };
      await this.transport.write(bytes, { ...opts, text: opts.text ?? `raw ${Buffer.from(bytes).toString('hex')}` });
      const signal = opSignal(this.ctx, { signal: opts.signal, timeoutMs: opts.waitMs ?? this.requestMs(opts) }, DEFAULT_REQUEST_MS);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.onFrameBytes = undefined;
          signal.removeEventListener('abort', done);
          resolve();
        };
        if (signal.aborted) return done();
        signal.addEventListener('abort', done, { once: true });
        this.onFrameBytes = () => (this.transport.closed || (opts.endOnFrame && wholeMbapFrame(this.rx))) && done();
      });
      this.throwIfCancelled(opts);
      const rx = this.rx;
      this.rx = Buffer.alloc(0);
      this.transport.logRx(rx, `raw reply ${rx.length} bytes${rx.length ? `: ${rx.toString('hex')}` : ''}`);
      return { rx, closed: this.transport.closed };
    });
  }

  /** Close the connection/port (idempotent). */
  async close(): Promise<void> {
    this.onFrameBytes?.();
    await this.transport.close();
  }

  private requestMs(opts?: OpOptions): number {
    return opts?.timeoutMs ?? this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_MS;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private throwIfCancelled(opts?: OpOptions): void {
    if (this.ctx.signal?.aborted || opts?.signal?.aborted) throw new ChannelError('aborted', `${this.mode === 'tcp' ? 'Modbus TCP' : 'Modbus RTU'} request cancelled`);
  }

  /** Bytes that arrived between transactions: late replies or noise. Log and drop them. */
  private drainStale(): void {
    if (!this.rx.length) return;
    this.transport.logRx(this.rx, `unsolicited/late ${this.rx.length} bytes: ${this.rx.toString('hex')}`);
    this.rx = Buffer.alloc(0);
  }

  private logEvent(dir: 'error' | 'event', text: string): void {
    this.ctx.evidence.append({ channel: this.opts.channel ?? `modbus-${this.mode}`, protocol: 'modbus', conn: this.transport.conn, dir, text, endpoints: this.transport.endpoints });
  }

  private request(pdu: Buffer, opts?: OpOptions): Promise<ModbusResult<unknown>> {
    return this.serialised(() => this.transact(pdu, opts));
  }

  private async transact(pdu: Buffer, opts?: OpOptions): Promise<ModbusResult<unknown>> {
    const t0 = Date.now();
    const logBytes = this.opts.log !== 'none';
    const desc = describeRequest(pdu);
    const fail = (kind: ModbusFailureKind, message: string, extra: { exception?: number } = {}): ModbusResult<unknown> => {
      if (!logBytes || kind !== 'exception') this.logEvent('error', `${desc}: ${message}`);
      return {
        ok: false,
        kind,
        message,
        elapsedMs: Date.now() - t0,
        ...(extra.exception !== undefined ? { exception: extra.exception, exceptionName: exceptionName(extra.exception) } : {}),
      };
    };
    this.throwIfCancelled(opts);
    this.drainStale();
    if (this.transport.closed) return fail('closed', 'connection is closed');
    const unit = this.unitId;
    const tid = (this.tid = (this.tid + 1) & 0xffff);
    const adu = this.mode === 'tcp' ? mbapFrame(tid, unit, pdu) : rtuFrame(unit, pdu);
    try {
      if (logBytes) await this.transport.write(adu, { ...opts, text: `${desc} (unit ${unit}${this.mode === 'tcp' ? `, tid ${tid}` : ''})` });
      else await this.transport.write(adu, { ...opts, silent: true });
    } catch (e) {
      this.throwIfCancelled(opts);
      return fail('closed', (e as Error).message);
    }
    const signal = opSignal(this.ctx, { signal: opts?.signal, timeoutMs: this.requestMs(opts) }, DEFAULT_REQUEST_MS);
    type Step = { frame: Buffer; respPdu: Buffer } | { garbage: string } | undefined;
    const step = (): Step => {
      for (;;) {
        if (this.mode === 'tcp') {
          if (this.rx.length < 7) return undefined;
          const rtid = this.rx.readUInt16BE(0);
          const pid = this.rx.readUInt16BE(2);
          const len = this.rx.readUInt16BE(4);
          if (pid !== 0 || len < 2 || len > 254) return { garbage: `bad MBAP header (protocol ${pid}, length ${len})` };
          if (this.rx.length < 6 + len) return undefined;
          const frame = this.rx.subarray(0, 6 + len);
          this.rx = this.rx.subarray(6 + len);
          if (rtid !== tid) {
            if (logBytes) this.transport.logRx(frame, `late/unrelated frame tid ${rtid} (waiting for ${tid}), ignored`);
            continue;
          }
          return { frame, respPdu: frame.subarray(7) };
        }
        if (this.rx.length && this.rx[0] !== unit) return { garbage: `RTU frame from unit ${this.rx[0]} (expected ${unit})` };
        const len = rtuResponseLength(this.rx);
        if (len === 'need-more') return undefined;
        if (len === 'garbage') return { garbage: `function code 0x${this.rx[1]!.toString(16)} is not a Modbus response` };
        if (this.rx.length < len) return undefined;
        const frame = this.rx.subarray(0, len);
        this.rx = this.rx.subarray(len);
        const crc = frame.readUInt16LE(len - 2);
        if (crc !== crc16(frame.subarray(0, len - 2))) {
          return { garbage: `RTU CRC mismatch (got ${crc.toString(16)}, computed ${crc16(frame.subarray(0, len - 2)).toString(16)})` };
        }
        return { frame, respPdu: frame.subarray(1, len - 2) };
      }
    };
    const outcome = await new Promise<Step | 'timeout' | 'closed'>((resolve) => {
      const done = (v: Step | 'timeout' | 'closed') => {
        this.onFrameBytes = undefined;
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = () => done('timeout');
      const check = () => {
        const s = step();
        if (s) return done(s);
        if (this.transport.closed) done('closed');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.onFrameBytes = check;
      check();
    });
    this.throwIfCancelled(opts);
    if (outcome === 'timeout' || outcome === 'closed') {
      const partial = this.rx;
      this.rx = Buffer.alloc(0);
      if (partial.length) this.transport.logRx(partial, `incomplete frame (${partial.length} bytes): ${partial.toString('hex')}`);
      if (outcome === 'timeout') {
        return fail('timeout', partial.length ? `incomplete reply (${partial.length} bytes) within ${this.requestMs(opts)} ms` : `no reply within ${this.requestMs(opts)} ms`);
      }
      return fail('closed', partial.length ? `connection closed mid-frame after ${partial.length} bytes` : 'connection closed before any reply');
    }
    if (outcome && 'garbage' in outcome) {
      const junk = this.rx;
      this.rx = Buffer.alloc(0);
      this.transport.logRx(junk, `garbage: ${outcome.garbage}: ${printable(junk, 120)}`);
      return fail('garbage', `device answered garbage: ${outcome.garbage}`);
    }
    const { frame, respPdu } = outcome!;
    const checked = checkResponse(pdu, respPdu);
    if (logBytes) this.transport.logRx(frame, checked.text);
    if (checked.ok) return { ok: true, data: checked.data, elapsedMs: Date.now() - t0 };
    return fail(checked.kind, checked.message, checked.exception !== undefined ? { exception: checked.exception } : {});
  }
}

/** Whether `rx` starts with a complete Modbus TCP frame (MBAP header plus the length it declares). */
function wholeMbapFrame(rx: Buffer): boolean {
  return rx.length >= 7 && rx.length >= 6 + rx.readUInt16BE(4);
}
