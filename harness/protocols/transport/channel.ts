/**
 * Shared vocabulary of the channels: the context every channel gets (evidence log, run-level cancel),
 * per-operation options (deadline), and the one error type channels throw for harness/cable/setup
 * failures. Device behaviour (a refused login, a Modbus exception, a SUBACK 0x80) is returned as data,
 * never thrown, so scenarios can turn it into a verdict; a ChannelError maps to ERROR or INCONCLUSIVE.
 */
import { deadline, DeadlineError } from '../../core/deadline.js';
import type { EvidenceLog } from '../../evidence/evidence-log.js';

export interface ChannelContext {
  evidence: EvidenceLog;
  /** Run-level cancel: aborting it ends every pending operation and should be followed by close(). */
  signal?: AbortSignal;
}

export interface OpOptions {
  /** Caller's own cancel for this operation (combined with the run-level signal). */
  signal?: AbortSignal;
  /** Deadline for this operation; each channel has a default taken from the profile. */
  timeoutMs?: number;
}

/**
 * - timeout:  nothing (or not enough) arrived before the deadline
 * - refused:  the peer actively refused the connection (ECONNREFUSED, ENOENT device path)
 * - closed:   the peer closed / the cable dropped while we were talking
 * - protocol: the peer spoke the protocol but broke its rules (bad frame for the request, wrong state)
 * - garbage:  bytes that are not the protocol at all
 * - setup:    harness-side problem (bad URL, missing binary, port locked by another process)
 * - aborted:  the run was cancelled
 */
export type ChannelErrorKind = 'timeout' | 'refused' | 'closed' | 'protocol' | 'garbage' | 'setup' | 'aborted';

export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChannelError';
  }
}

/** A channel owns sockets or ports; close() is idempotent and always releases them. */
export interface Channel {
  close(): Promise<void>;
}

/** The deadline signal for one operation: timeoutMs (or the default), the caller's signal and the run's. */
export function opSignal(ctx: ChannelContext, opts: OpOptions | undefined, defaultMs: number): AbortSignal {
  const parents = [ctx.signal, opts?.signal].filter((s): s is AbortSignal => s !== undefined);
  const parent = parents.length === 0 ? undefined : parents.length === 1 ? parents[0] : AbortSignal.any(parents);
  return deadline(opts?.timeoutMs ?? defaultMs, parent);
}

/** Why a signal fired: the run/caller cancelled (aborted) or the operation's own deadline passed (timeout). */
export function abortKind(ctx: ChannelContext, opts?: OpOptions): ChannelErrorKind {
  return ctx.signal?.aborted || opts?.signal?.aborted ? 'aborted' : 'timeout';
}

const NODE_CODE_KIND: Record<string, ChannelErrorKind> = {
  ECONNREFUSED: 'refused',
  ENOENT: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
  EIO: 'closed',
  ERR_STREAM_DESTROYED: 'closed',
  ERR_SOCKET_CLOSED: 'closed',
  ETIMEDOUT: 'timeout',
  EADDRINUSE: 'setup',
  EACCES: 'setup',
  ENOTFOUND: 'setup',
};

/** Normalise anything thrown below a channel into a ChannelError (already-normalised errors pass through). */
export function toChannelError(e: unknown, what: string, fallback: ChannelErrorKind = 'protocol'): ChannelError {
  if (e instanceof ChannelError) return e;
  if (e instanceof DeadlineError) return new ChannelError('timeout', `${what}: ${e.message}`, { cause: e });
  const err = e as { code?: string; message?: string; name?: string };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError') return new ChannelError('timeout', `${what}: deadline passed`, { cause: e });
  const kind = (err?.code && NODE_CODE_KIND[err.code]) || (/lock/i.test(err?.message ?? '') ? 'setup' : fallback);
  return new ChannelError(kind, `${what}: ${err?.message ?? String(e)}`, { cause: e });
}

let connCounter = 0;
/** A connection id unique within this process, e.g. "console-3". */
export function nextConnId(prefix: string): string {
  connCounter += 1;
  return `${prefix}-${process.pid}-${connCounter}`;
}

/** Printable one-line rendering of bytes for evidence summaries (control characters escaped). */
export function printable(data: Uint8Array | string, max = 400): string {
  const s = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c === 0x1b) out += '\\e';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
    if (out.length >= max) return out + '…';
  }
  return out;
}

/** Parse "tcp://host:port" (or "host:port"); throws ChannelError('setup') when malformed. */
export function parseTcpUrl(url: string, defaultPort?: number): { host: string; port: number } {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/i.exec(url);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!m || port === undefined || !(port > 0 && port < 65536)) throw new ChannelError('setup', `not a host:port address: ${url}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
