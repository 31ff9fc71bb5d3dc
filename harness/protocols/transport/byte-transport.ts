/**
 * A duplex byte stream to a device over a serial path (serialport 13: /dev/ttyUSB0, a socat pty) or a
 * `tcp://host:port` serial device server / TCP service (net.Socket). Every byte written and read goes
 * to the evidence log with endpoints, so the traffic can be replayed or turned into a pcap later:
 * TCP records carry proto 'tcp' and local/remote "ip:port"; serial records carry proto 'serial',
 * local 'harness' and remote the device path.
 */
import { Socket } from 'node:net';
// Type only: serialport (and its native bindings) loads when a serial line is opened, not with the registry.
import type { SerialPort } from 'serialport';
import { raceSignal } from '../../core/deadline.js';
import type { EndpointPair } from '../../evidence/evidence-record.js';
import {
  abortKind,
  ChannelError,
  nextConnId,
  opSignal,
  parseTcpUrl,
  printable,
  toChannelError,
  type ChannelContext,
  type OpOptions,
} from './channel.js';

export interface SerialSettings {
  baudRate?: number;
  parity?: 'none' | 'even' | 'odd';
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
}

export interface ByteTransportOptions extends OpOptions, SerialSettings {
  /** Evidence channel name (console, modbus-tcp, modbus-rtu, ...). */
  channel: string;
  /** Registry name of the protocol spoken on the stream, set on every record (the reports decode by it). */
  protocol?: string;
  /** Prefix of the connection id; defaults to the channel name. */
  connPrefix?: string;
  /** Log every received chunk as an rx record (default true). false: the owner logs rx itself with logRx(). */
  logRx?: boolean;
  /** Merge rx chunks that arrive within this many ms into one record (default 0: one record per chunk). */
  coalesceRxMs?: number;
  /** Summary text for logged rx bytes (default: printable rendering). */
  describeRx?: (bytes: Buffer) => string;
  /** Default deadline for open (ms). */
  openTimeoutMs?: number;
}

type DataListener = (chunk: Buffer) => void;
type CloseListener = (err?: Error) => void;

const OPEN_TIMEOUT_MS = 3000;
const WRITE_TIMEOUT_MS = 3000;

/** One open byte stream. Obtain with ByteTransport.open(); always close(). */
export class ByteTransport {
  readonly conn: string;
  private readonly dataListeners = new Set<DataListener>();
  private readonly closeListeners = new Set<CloseListener>();
  private isClosed = false;
  private closedBy: 'local' | 'peer' | undefined;
  private closeErr: Error | undefined;
  private rxPending: Buffer[] = [];
  private rxTimer: NodeJS.Timeout | undefined;
  private rxHeld = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly ctx: ChannelContext,
    private readonly opts: ByteTransportOptions,
    readonly kind: 'tcp' | 'serial',
    readonly endpoints: EndpointPair,
    private readonly socket: Socket | undefined,
    private readonly port: SerialPort | undefined,
  ) {
    this.conn = nextConnId(opts.connPrefix ?? opts.channel);
  }

  /** Open `target` (a device path, or tcp://host:port). Throws ChannelError refused/timeout/setup. */
  static async open(target: string, ctx: ChannelContext, opts: ByteTransportOptions): Promise<ByteTransport> {
    const signal = opSignal(ctx, opts, opts.openTimeoutMs ?? OPEN_TIMEOUT_MS);
    if (/^tcp:\/\//i.test(target)) return ByteTransport.openTcp(target, ctx, opts, signal);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) throw new ChannelError('setup', `unsupported byte transport address: ${target}`);
    return ByteTransport.openSerial(target, ctx, opts, signal);
  }

  private static async openTcp(url: string, ctx: ChannelContext, opts: ByteTransportOptions, signal: AbortSignal): Promise<ByteTransport> {
    const { host, port } = parseTcpUrl(url);
    const socket = new Socket();
    // Collect data from the first moment: bytes the device sends right after accept are not lost.
    const early: Buffer[] = [];
    const onEarly = (b: Buffer) => early.push(b);
    socket.on('data', onEarly);
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.connect({ host, port });
    try {
      await raceSignal(connected, signal, `connect ${url}`, () => socket.destroy());
    } catch (e) {
      socket.destroy();
      const err = toChannelError(e, `connect ${url}`, 'refused');
      if (err.kind === 'timeout') throw new ChannelError(abortKind(ctx, opts), err.message, { cause: e });
      throw err;
    }
    socket.setNoDelay(true);
    const ep: EndpointPair = {
      proto: 'tcp',
      local: `${socket.localAddress}:${socket.localPort}`,
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
    };
    const t = new ByteTransport(ctx, opts, 'tcp', ep, socket, undefined);
    t.logOpen(url);
    socket.off('data', onEarly);
    socket.on('data', (b: Buffer) => t.onBytes(b));
    socket.on('error', (e) => (t.closeErr ??= e));
    socket.on('close', () => t.onClosed());
    for (const b of early) t.onBytes(b);
    return t;
  }

  private static async openSerial(path: string, ctx: ChannelContext, opts: ByteTransportOptions, signal: AbortSignal): Promise<ByteTransport> {
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({
      path,
      baudRate: opts.baudRate ?? 115200,
      parity: opts.parity ?? 'none',
      dataBits: opts.dataBits ?? 8,
      stopBits: opts.stopBits ?? 1,
      autoOpen: false,
    });
    const early: Buffer[] = [];
    const onEarly = (b: Buffer) => early.push(b);
    port.on('data', onEarly);
    let abandoned = false;
    const opened = new Promise<void>((resolve, reject) =>
      port.open((err) => {
        if (err) return reject(err);
        // The deadline fired while open() was in flight: release the port now that we own it.
        if (abandoned) port.close(() => undefined);
        resolve();
      }),
    );
    try {
      await raceSignal(opened, signal, `open ${path}`, () => {
        abandoned = true;
        if (port.isOpen) port.close(() => undefined);
      });
    } catch (e) {
      const msg = (e as Error)?.message ?? '';
      if (/no such file|ENOENT/i.test(msg)) throw new ChannelError('refused', `open ${path}: no such device`, { cause: e });
      const err = toChannelError(e, `open ${path}`, 'setup');
      if (err.kind === 'timeout') throw new ChannelError(abortKind(ctx, opts), err.message, { cause: e });
      throw err;
    }
    const ep: EndpointPair = { proto: 'serial', local: 'harness', remote: path };
    const t = new ByteTransport(ctx, opts, 'serial', ep, undefined, port);
    t.logOpen(path);
    port.off('data', onEarly);
    port.on('data', (b: Buffer) => t.onBytes(b));
    port.on('error', (e) => (t.closeErr ??= e));
    port.on('close', (e?: Error) => {
      if (e) t.closeErr ??= e;
      t.onClosed();
    });
    for (const b of early) t.onBytes(b);
    return t;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** 'peer' when the device (or cable) ended the stream, 'local' when we closed it. */
  get closedByWhom(): 'local' | 'peer' | undefined {
    return this.closedBy;
  }

  get closeError(): Error | undefined {
    return this.closeErr;
  }

  /** Subscribe to received bytes; returns an unsubscribe function. */
  onData(fn: DataListener): () => void {
    this.dataListeners.add(fn);
    return () => this.dataListeners.delete(fn);
  }

  /** Subscribe to the end of the stream (called once); returns an unsubscribe function. */
  onClose(fn: CloseListener): () => void {
    if (this.isClosed) {
      queueMicrotask(() => fn(this.closeErr));
      return () => undefined;
    }
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  /**
   * Write bytes in ONE write call and ONE evidence record (so a secret inside is redacted whole).
   * Resolves when the bytes are handed to the kernel; on deadline the stream is destroyed.
   */
  async write(bytes: Uint8Array | string, opts: OpOptions & { text?: string; silent?: boolean } = {}): Promise<void> {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    if (this.isClosed) throw new ChannelError('closed', `${this.opts.channel}: write on a closed ${this.kind} stream (${this.endpoints.remote})`);
    this.flushRx();
    if (!opts.silent) this.logTx(buf, opts.text);
    const signal = opSignal(this.ctx, opts, WRITE_TIMEOUT_MS);
    const done = new Promise<void>((resolve, reject) => {
      if (this.socket) this.socket.write(buf, (err) => (err ? reject(err) : resolve()));
      else {
        const port = this.port!;
        port.write(buf, (err) => {
          if (err) return reject(err);
          port.drain((e) => (e ? reject(e) : resolve()));
        });
      }
    });
    try {
      await raceSignal(done, signal, `${this.opts.channel} write`, () => this.destroy());
    } catch (e) {
      throw toChannelError(e, `${this.opts.channel} write to ${this.endpoints.remote}`, 'closed');
    }
  }

  /** Log bytes that were written on this stream by someone else (used when a library writes). */
  logTx(bytes: Uint8Array, text?: string): void {
    this.ctx.evidence.append({
      channel: this.opts.channel,
      ...(this.opts.protocol ? { protocol: this.opts.protocol } : {}),
      conn: this.conn,
      dir: 'tx',
      data: bytes,
      text: text ?? printable(bytes),
      endpoints: this.endpoints,
    });
  }

  /** Log received bytes with a summary (owners that set logRx:false call this per frame). */
  logRx(bytes: Uint8Array, text?: string): void {
    if (bytes.length === 0) return;
    this.ctx.evidence.append({
      channel: this.opts.channel,
      ...(this.opts.protocol ? { protocol: this.opts.protocol } : {}),
      conn: this.conn,
      dir: 'rx',
      data: bytes,
      text: text ?? (this.opts.describeRx ? this.opts.describeRx(Buffer.from(bytes)) : printable(bytes)),
      endpoints: this.endpoints,
    });
  }

  /** While held, coalesced rx is not flushed by the timer (keeps an echoed secret in one record). */
  holdRx(hold: boolean): void {
    this.rxHeld = hold;
    if (!hold && this.rxPending.length && !this.rxTimer) this.armRxTimer();
  }

  /** Write pending coalesced rx bytes as one record now. */
  flushRx(): void {
    clearTimeout(this.rxTimer);
    this.rxTimer = undefined;
    if (!this.rxPending.length) return;
    const b = Buffer.concat(this.rxPending);
    this.rxPending = [];
    this.logRx(b);
  }

  /** Close the stream (idempotent). Waits briefly for an orderly close, then destroys. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.isClosed) {
        this.closedBy ??= 'local';
        const closed = new Promise<void>((resolve) => this.onClose(() => resolve()));
        if (this.socket) this.socket.end();
        else if (this.port?.isOpen) this.port.close(() => undefined);
        else this.onClosed();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, 500)))]);
        clearTimeout(timer);
        if (!this.isClosed) this.destroy();
      }
    })();
    return this.closing;
  }

  /** Tear the stream down immediately (deadline fired, run cancelled). */
  destroy(): void {
    this.closedBy ??= 'local';
    if (this.socket) this.socket.destroy();
    else if (this.port?.isOpen) {
      this.port.close(() => undefined);
    }
    // serialport's close is async; the 'close' event marks us closed. A socket emits 'close' too.
    if (this.port && !this.port.isOpen) this.onClosed();
  }

  private logOpen(target: string): void {
    this.ctx.evidence.append({
      channel: this.opts.channel,
      ...(this.opts.protocol ? { protocol: this.opts.protocol } : {}),
      conn: this.conn,
      dir: 'open',
      text: `${this.kind} open ${target} (${this.endpoints.local} -> ${this.endpoints.remote})`,
      endpoints: this.endpoints,
      ...(this.kind === 'serial' ? { attrs: { baudRate: this.opts.baudRate ?? 115200 } } : {}),
    });
  }

  private onBytes(b: Buffer): void {
    if (this.opts.logRx !== false) {
      if (this.opts.coalesceRxMs) {
        this.rxPending.push(b);
        if (!this.rxTimer && !this.rxHeld) this.armRxTimer();
        if (this.rxPending.reduce((n, x) => n + x.length, 0) > 64 * 1024) this.flushRx();
      } else this.logRx(b);
    }
    for (const fn of this.dataListeners) fn(b);
  }

  private armRxTimer(): void {
    this.rxTimer = setTimeout(() => {
      this.rxTimer = undefined;
      if (!this.rxHeld) this.flushRx();
    }, this.opts.coalesceRxMs);
  }

  private onClosed(): void {
    if (this.isClosed) return; // serialport may emit close twice
    this.isClosed = true;
    this.closedBy ??= 'peer';
    this.rxHeld = false;
    this.flushRx();
    this.ctx.evidence.append({
      channel: this.opts.channel,
      ...(this.opts.protocol ? { protocol: this.opts.protocol } : {}),
      conn: this.conn,
      dir: 'close',
      text: `${this.kind} closed by ${this.closedBy}${this.closeErr ? `: ${this.closeErr.message}` : ''}`,
      endpoints: this.endpoints,
    });
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.dataListeners.clear();
    for (const fn of listeners) fn(this.closeErr);
  }
}
