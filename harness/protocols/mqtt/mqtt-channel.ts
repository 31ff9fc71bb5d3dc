/**
 * MQTT client channel (mqtt 5.16) for probes: no automatic reconnect, CONNACK / SUBACK / PUBACK
 * reason codes returned as data, delivery checks (expectMessage, collect), a deadline on everything.
 * The client talks through a TappedSocket, so the evidence holds the real wire bytes (MQTT, or TLS
 * records for mqtts) as tx/rx records, plus one 'event' record per MQTT packet with a decoded summary.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { MqttClient, IClientOptions, Packet } from 'mqtt';
// The reason-code table alone: mqtt.js itself (~180 ms to load) is imported when a connection is made.
import { ReasonCodes as MqttReasonCodes } from 'mqtt/lib/handlers/ack';
import type { EndpointPair } from '../../evidence/evidence-record.js';
import type { MqttInterface } from '../../profile/target-schema.js';
import { abortKind, ChannelError, nextConnId, opSignal, parseTcpUrl, printable, type ChannelContext, type OpOptions } from '../transport/channel.js';
import { TappedSocket } from '../transport/tapped-socket.js';
import { topicMatches } from '../../profile/topic-filter.js';

export type MqttCredentials = { username: string; password: string } | { anonymous: true };

export interface MqttConnectOptions extends OpOptions {
  /** Connect here instead of iface.url (e.g. iface.plaintextUrl). */
  url?: string;
  clientId?: string;
  protocolVersion?: 3 | 4 | 5;
  clean?: boolean;
  keepaliveS?: number;
}

export interface Connack {
  /** The code on the wire: returnCode (3.1/3.1.1) or reasonCode (5). 0 = accepted. */
  code: number;
  returnCode?: number;
  reasonCode?: number;
  reason: string;
  sessionPresent: boolean;
}

export type MqttConnectFailure = 'rejected' | 'refused' | 'timeout' | 'closed' | 'tls' | 'protocol';

export type MqttConnectResult =
  | { ok: true; channel: MqttChannel; connack: Connack; elapsedMs: number }
  | { ok: false; kind: MqttConnectFailure; connack?: Connack; error: string; elapsedMs: number };

export interface SubscribeResult {
  /** True when the broker granted a QoS (code < 0x80). Note: some brokers grant and then silently drop (check delivery). */
  ok: boolean;
  outcome: 'granted' | 'rejected' | 'connection-closed' | 'timeout';
  /** SUBACK code for this topic: 0/1/2 granted QoS, >= 0x80 failure. */
  granted?: number;
  reason?: string;
}

export interface PublishResult {
  /** acked: PUBACK/PUBCOMP success (QoS>0); sent: QoS 0 written; rejected: negative PUBACK (v5). */
  outcome: 'acked' | 'sent' | 'rejected' | 'connection-closed' | 'timeout';
  reasonCode?: number;
  reason?: string;
  /** The broker closed the connection after the publish (how 3.1.1 brokers deny). */
  connectionClosed: boolean;
}

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  text: string;
  qos: number;
  retain: boolean;
  at: number;
}

/** MQTT 5 reason code names (mqtt.js table). */
export const ReasonCodes: Record<number, string | undefined> = MqttReasonCodes;

const V3_CONNACK: Record<number, string> = { 0: 'Connection accepted', 1: 'Unacceptable protocol version', 2: 'Identifier rejected', 3: 'Server unavailable', 4: 'Bad username or password', 5: 'Not authorized' };

/** Destroy a socket and wait (briefly) for its 'close', so nothing is logged or open after we return. */
async function destroyAndWait(s: Socket, closed: Promise<void>): Promise<void> {
  s.destroy();
  let t: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((r) => (t = setTimeout(r, 500)))]);
  clearTimeout(t);
}

function summarise(p: Packet, v: number): string {
  const a = p as unknown as Record<string, unknown>;
  switch (p.cmd) {
    case 'connect':
      return `CONNECT v${a.protocolVersion} clientId=${a.clientId} user=${a.username ?? '-'} password=${a.password !== undefined ? 'yes' : 'none'} clean=${a.clean} keepalive=${a.keepalive}`;
    case 'connack': {
      const code = (v === 5 ? a.reasonCode : a.returnCode) as number | undefined;
      return `CONNACK code=${code} (${(v === 5 ? ReasonCodes[code ?? 0] : V3_CONNACK[code ?? 0]) || 'Success'}) sessionPresent=${a.sessionPresent}`;
    }
    case 'subscribe':
      return `SUBSCRIBE id=${a.messageId} ${((a.subscriptions as Array<{ topic: string; qos: number }>) ?? []).map((s) => `${s.topic}@qos${s.qos}`).join(' ')}`;
    case 'suback':
      return `SUBACK id=${a.messageId} granted=[${((a.granted as number[]) ?? []).map((g) => `0x${g.toString(16)}`).join(',')}]`;
    case 'publish': {
      const payload = a.payload as Buffer | string | undefined;
      return `PUBLISH ${a.topic} qos=${a.qos}${a.retain ? ' retain' : ''}${a.messageId !== undefined ? ` id=${a.messageId}` : ''} payload=${printable(payload ?? '', 200)}`;
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      return `${p.cmd.toUpperCase()} id=${a.messageId}${a.reasonCode !== undefined ? ` code=0x${(a.reasonCode as number).toString(16)} ${ReasonCodes[a.reasonCode as number] ?? ''}` : ''}`;
    case 'disconnect':
      return `DISCONNECT${a.reasonCode !== undefined ? ` code=0x${(a.reasonCode as number).toString(16)}` : ''}`;
    default:
      return p.cmd.toUpperCase();
  }
}

export class MqttChannel {
  private readonly listeners = new Set<(m: ReceivedMessage) => void>();
  private closing: Promise<void> | undefined;
  private closedFlag = false;
  private readonly closeWaiters = new Set<() => void>();

  private constructor(
    readonly iface: MqttInterface,
    private readonly ctx: ChannelContext,
    private readonly client: MqttClient,
    private readonly raw: Socket,
    private readonly rawClosed: Promise<void>,
    readonly conn: string,
    readonly protocolVersion: number,
  ) {
    client.on('message', (topic, payload, packet) => {
      const m: ReceivedMessage = { topic, payload, text: payload.toString('utf8'), qos: packet.qos, retain: packet.retain, at: Date.now() };
      for (const fn of this.listeners) fn(m);
    });
    client.on('close', () => this.markClosed());
  }

  /**
   * Connect with credentials or anonymously. Never throws for device/broker behaviour: a refused
   * CONNACK, a closed port, a TLS failure or a silent broker come back as { ok: false, kind }.
   * Throws ChannelError only for a bad URL or a run-level cancel.
   */
  static async connect(iface: MqttInterface, creds: MqttCredentials, ctx: ChannelContext, opts: MqttConnectOptions = {}): Promise<MqttConnectResult> {
    const { MqttClient } = await import('mqtt');
    const t0 = Date.now();
    const url = opts.url ?? iface.url;
    const m = /^(mqtts?):\/\/(.+)$/i.exec(url);
    if (!m) throw new ChannelError('setup', `not an mqtt:// or mqtts:// URL: ${url}`);
    const secure = m[1]!.toLowerCase() === 'mqtts';
    const { host, port } = parseTcpUrl(m[2]!, secure ? 8883 : 1883);
    const version = opts.protocolVersion ?? iface.protocolVersion;
    const timeoutMs = opts.timeoutMs ?? iface.timeoutMs;
    const channelName = 'mqtt';
    const conn = nextConnId('mqtt');
    if ('password' in creds) ctx.evidence.redactor.add(creds.password);

    // Wire evidence: coalesce the writes of one tick into one record (a CONNECT, password included, stays whole).
    let endpoints: EndpointPair = { proto: 'tcp', local: '0.0.0.0:0', remote: `${host}:${port}` };
    const layer = secure ? 'TLS' : 'MQTT';
    let txPending: Buffer[] = [];
    let txTimer: NodeJS.Immediate | undefined;
    const flushTx = () => {
      txTimer = undefined;
      if (!txPending.length) return;
      const b = Buffer.concat(txPending);
      txPending = [];
      ctx.evidence.append({ channel: channelName, protocol: 'mqtt', conn, dir: 'tx', data: b, text: `${layer} ${b.length} bytes`, endpoints, ...(secure ? { attrs: { tls: true } } : {}) });
    };
    const raw = new Socket();
    let connectedAt = false;
    const tapped = new TappedSocket(raw, {
      tx: (b) => {
        txPending.push(Buffer.from(b));
        if (connectedAt) txTimer ??= setImmediate(flushTx);
      },
      rx: (b) => {
        flushTx();
        ctx.evidence.append({ channel: channelName, protocol: 'mqtt', conn, dir: 'rx', data: b, text: `${layer} ${b.length} bytes`, endpoints, ...(secure ? { attrs: { tls: true } } : {}) });
      },
    });
    raw.once('connect', () => {
      raw.setNoDelay(true);
      endpoints = { proto: 'tcp', local: `${raw.localAddress}:${raw.localPort}`, remote: `${raw.remoteAddress}:${raw.remotePort}` };
      ctx.evidence.append({ channel: channelName, protocol: 'mqtt', conn, dir: 'open', text: `tcp open ${url} (${endpoints.local} -> ${endpoints.remote})`, endpoints });
      connectedAt = true;
      if (txPending.length) txTimer ??= setImmediate(flushTx);
    });
    raw.once('close', () => {
      flushTx();
      if (txTimer) clearImmediate(txTimer);
      ctx.evidence.append({ channel: channelName, protocol: 'mqtt', conn, dir: 'close', text: `tcp closed${connectedAt ? '' : ' (never connected)'}`, endpoints });
    });
    raw.on('error', () => undefined);
    // Registered after the logging 'close' handler: resolves once the close record is written.
    const rawClosed = new Promise<void>((r) => raw.once('close', () => r()));
    raw.connect({ host, port });

    const stream = secure
      ? tlsConnect({
          socket: tapped as unknown as Socket,
          servername: /^[\d.]+$|:/.test(host) ? undefined : host,
          rejectUnauthorized: iface.tls?.rejectUnauthorized ?? true,
          ...(iface.tls?.caFile ? { ca: readFileSync(iface.tls.caFile) } : {}),
        })
      : tapped;
    stream.on('error', () => undefined);

    const options: IClientOptions = {
      manualConnect: true,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      protocolVersion: version,
      ...(version === 3 ? { protocolId: 'MQIsdp' as const } : {}),
      clientId: opts.clientId ?? `hil-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      clean: opts.clean ?? true,
      keepalive: opts.keepaliveS ?? 30,
      resubscribe: false,
      ...('password' in creds ? { username: creds.username, password: creds.password } : {}),
    };
    const client = new MqttClient(() => stream as unknown as ReturnType<NonNullable<IClientOptions['createWebsocket']>>, options);
    client.on('packetsend', (p) => ctx.evidence.append({ channel: channelName, protocol: 'mqtt', conn, dir: 'event', text: `→ ${summarise(p, version)}`, endpoints }));
    client.on('packetreceive', (p) => ctx.evidence.append({ channel: channelName, protocol: 'mqtt', conn, dir: 'event', text: `← ${summarise(p, version)}`, endpoints }));
    let connack: Connack | undefined;
    client.on('packetreceive', (p) => {
      if (p.cmd !== 'connack') return;
      const a = p as unknown as { returnCode?: number; reasonCode?: number; sessionPresent: boolean };
      const code = (version === 5 ? a.reasonCode : a.returnCode) ?? 0;
      connack = {
        code,
        ...(a.returnCode !== undefined ? { returnCode: a.returnCode } : {}),
        ...(a.reasonCode !== undefined ? { reasonCode: a.reasonCode } : {}),
        reason: (version === 5 ? ReasonCodes[code] : V3_CONNACK[code]) || 'Success',
        sessionPresent: a.sessionPresent,
      };
    });
    const lastError: { e?: Error & { code?: unknown } } = {};
    client.on('error', (e) => (lastError.e ??= e as Error & { code?: unknown }));
    const signal = opSignal(ctx, { signal: opts.signal, timeoutMs: timeoutMs + 200 }, timeoutMs);
    const outcome = await new Promise<'connect' | 'error' | 'close' | 'abort'>((resolve) => {
      const done = (v: 'connect' | 'error' | 'close' | 'abort') => {
        signal.removeEventListener('abort', onAbort);
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        resolve(v);
      };
      const onConnect = () => done('connect');
      const onError = () => done('error');
      const onClose = () => done('close');
      const onAbort = () => done('abort');
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
      client.connect();
    });
    const elapsedMs = () => Date.now() - t0;
    if (outcome === 'connect' && connack) {
      return { ok: true, channel: new MqttChannel(iface, ctx, client, raw, rawClosed, conn, version), connack, elapsedMs: elapsedMs() };
    }
    client.end(true);
    await destroyAndWait(raw, rawClosed);
    if (outcome === 'abort' && abortKind(ctx, opts) === 'aborted') throw new ChannelError('aborted', `MQTT connect to ${url} cancelled`);
    const e = lastError.e;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    let kind: MqttConnectFailure;
    if (connack && connack.code !== 0) kind = 'rejected';
    else if (code === 'ECONNREFUSED') kind = 'refused';
    else if (outcome === 'abort' || /connack timeout/i.test(e?.message ?? '')) kind = 'timeout';
    else if (code?.startsWith('ERR_SSL') || /certificate|self[- ]signed|SSL|TLS/i.test(e?.message ?? '') || (code && /CERT|TLS/.test(code))) kind = 'tls';
    else if (outcome === 'close' || code === 'ECONNRESET' || code === 'EPIPE') kind = 'closed';
    else kind = 'protocol';
    const error = connack && connack.code !== 0 ? `CONNACK ${connack.code}: ${connack.reason}` : (e?.message ?? (kind === 'timeout' ? `no CONNACK within ${timeoutMs} ms` : 'connection closed before CONNACK'));
    ctx.evidence.append({ channel: channelName, protocol: 'mqtt', conn, dir: 'error', text: `connect ${url} failed (${kind}): ${error}`, endpoints });
    return { ok: false, kind, ...(connack ? { connack } : {}), error, elapsedMs: elapsedMs() };
  }

  /** True while the MQTT session is up. */
  get connected(): boolean {
    return this.client.connected && !this.closedFlag;
  }

  /** Subscribe to ONE topic filter and return its SUBACK code (mqtt.js rejects whole batches otherwise). */
  async subscribe(topic: string, opts: OpOptions & { qos?: 0 | 1 | 2 } = {}): Promise<SubscribeResult> {
    if (!this.connected) return { ok: false, outcome: 'connection-closed' };
    const work = new Promise<SubscribeResult>((resolve) => {
      this.client.subscribe(topic, { qos: opts.qos ?? 1 }, (err, granted) => {
        const fromErr = (err as unknown as { packet?: { granted?: number[] } } | null)?.packet?.granted?.[0];
        const code = err ? fromErr : granted?.[0]?.qos;
        if (code === undefined) return resolve({ ok: false, outcome: 'connection-closed', reason: err?.message });
        const rejected = code >= 0x80;
        resolve({ ok: !rejected, outcome: rejected ? 'rejected' : 'granted', granted: code, reason: ReasonCodes[code] || (rejected ? 'Failure' : 'Granted') });
      });
    });
    return this.bounded(work, opts, (closed): SubscribeResult => ({ ok: false, outcome: closed ? 'connection-closed' : 'timeout' }));
  }

  /**
   * Publish and report the broker's answer. QoS 0: 'sent'. QoS 1/2: 'acked', 'rejected' (v5 negative
   * PUBACK) or 'connection-closed' (3.1.1 brokers close the connection to deny); bounded by a deadline.
   */
  async publish(topic: string, payload: string | Buffer, opts: OpOptions & { qos?: 0 | 1 | 2; retain?: boolean; settleMs?: number } = {}): Promise<PublishResult> {
    if (!this.connected) return { outcome: 'connection-closed', connectionClosed: true };
    const qos = opts.qos ?? 1;
    const work = new Promise<PublishResult>((resolve) => {
      this.client.publish(topic, payload, { qos, retain: opts.retain ?? false }, (err, packet) => {
        if (err) {
          const code = (err as Error & { code?: number }).code;
          if (typeof code === 'number') return resolve({ outcome: 'rejected', reasonCode: code, reason: ReasonCodes[code] ?? err.message, connectionClosed: false });
          return resolve({ outcome: 'connection-closed', reason: err.message, connectionClosed: true });
        }
        const rc = (packet as { reasonCode?: number } | undefined)?.reasonCode;
        resolve({ outcome: qos === 0 ? 'sent' : 'acked', ...(rc !== undefined ? { reasonCode: rc, reason: ReasonCodes[rc] || 'Success' } : {}), connectionClosed: false });
      });
    });
    const r = await this.bounded(work, opts, (closed): PublishResult => ({ outcome: closed ? 'connection-closed' : 'timeout', connectionClosed: closed }));
    // A QoS 0 denial shows only as the broker closing the connection shortly after.
    if (r.outcome === 'sent' && opts.settleMs) {
      await this.waitClosed(opts.settleMs);
      if (!this.connected) return { outcome: 'connection-closed', connectionClosed: true };
    }
    return r;
  }

  /** Call `fn` for every message received (on any subscribed topic matching `filter`); returns an unsubscribe. */
  onMessage(filter: string, fn: (m: ReceivedMessage) => void): () => void {
    const l = (m: ReceivedMessage) => topicMatches(filter, m.topic) && fn(m);
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * Wait for a message on `filter` (you must have subscribed) that satisfies `predicate`.
   * Resolves undefined when none arrives within timeoutMs or the connection closes.
   */
  async expectMessage(filter: string, predicate: (m: ReceivedMessage) => boolean = () => true, timeoutMs = this.iface.timeoutMs, opts: OpOptions = {}): Promise<ReceivedMessage | undefined> {
    let off: () => void = () => undefined;
    const work = new Promise<ReceivedMessage>((resolve) => {
      off = this.onMessage(filter, (m) => predicate(m) && resolve(m));
    });
    try {
      const r = await this.bounded(work, { ...opts, timeoutMs }, () => undefined, true);
      return r;
    } finally {
      off();
    }
  }

  /** Collect every message on `filter` for `ms` milliseconds (delivery check: "nothing arrives"). */
  async collect(filter: string, ms: number, opts: OpOptions = {}): Promise<ReceivedMessage[]> {
    const got: ReceivedMessage[] = [];
    const off = this.onMessage(filter, (m) => got.push(m));
    try {
      await this.bounded(new Promise<never>(() => undefined), { ...opts, timeoutMs: ms }, () => undefined, false);
    } finally {
      off();
    }
    return got;
  }

  /** Wait up to ms for the broker to close the connection; true if it did. */
  async waitClosed(ms: number): Promise<boolean> {
    if (!this.connected) return true;
    await this.bounded(new Promise<never>(() => undefined), { timeoutMs: ms }, () => undefined, true);
    return !this.connected;
  }

  /** Disconnect (DISCONNECT sent if still connected) and release the socket. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.client.connected) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            this.client.end(true);
            resolve();
          }, 500);
          this.client.end(false, () => {
            clearTimeout(t);
            resolve();
          });
        });
      } else this.client.end(true);
      await destroyAndWait(this.raw, this.rawClosed);
      this.markClosed();
    })();
    return this.closing;
  }

  private markClosed(): void {
    this.closedFlag = true;
    for (const w of [...this.closeWaiters]) w();
  }

  /**
   * Race `work` against the deadline and the connection closing. onFail(closed) builds the result
   * when the work does not finish. A run-level cancel throws. stopOnClose=false keeps waiting on close.
   */
  private async bounded<T, F>(work: Promise<T>, opts: OpOptions, onFail: (closed: boolean) => F, stopOnClose = true): Promise<T | F> {
    const signal = opSignal(this.ctx, opts, this.iface.timeoutMs);
    return new Promise<T | F>((resolve, reject) => {
      const finish = () => {
        signal.removeEventListener('abort', onAbort);
        this.closeWaiters.delete(onClose);
      };
      const onAbort = () => {
        finish();
        if (abortKind(this.ctx, opts) === 'aborted') reject(new ChannelError('aborted', 'MQTT operation cancelled'));
        else resolve(onFail(this.closedFlag));
      };
      const onClose = () => {
        if (!stopOnClose) return;
        // Let a settling callback win if it is already queued.
        setImmediate(() => {
          finish();
          resolve(onFail(true));
        });
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (stopOnClose) {
        if (this.closedFlag) onClose();
        else this.closeWaiters.add(onClose);
      }
      work.then(
        (v) => {
          finish();
          resolve(v);
        },
        (e) => {
          finish();
          reject(e);
        },
      );
    });
  }
}
