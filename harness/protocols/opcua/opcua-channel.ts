/**
 * OPC UA client channel (node-opcua, imported lazily so `hil --help` stays fast). No reconnect loop
 * (connectionStrategy maxRetry 0), a per-run PKI folder (removed on close), every service call logged
 * as a tx/rx evidence record with a text summary (the secure channel's raw bytes are not captured).
 * Status codes from the device (BadUserAccessDenied, BadOutOfRange, ...) are returned as data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raceSignal } from '../../core/deadline.js';
import type { EndpointPair } from '../../evidence/evidence-record.js';
import type { OpcuaInterface } from '../../profile/target-schema.js';
import { abortKind, ChannelError, nextConnId, opSignal, toChannelError, type ChannelContext, type OpOptions } from '../transport/channel.js';
import { statusFromError, type EndpointInfo, type OpcuaConnectOptions, type OpcuaIdentity, type ReadResult, type SessionResult, type WriteResult } from './opcua-service-types.js';

export type { EndpointInfo, OpcuaConnectOptions, OpcuaIdentity, ReadResult, SecurityModeName, SecurityPolicyName, SessionResult, WriteResult } from './opcua-service-types.js';

type UA = typeof import('node-opcua');
type Client = import('node-opcua').OPCUAClient;
type Session = import('node-opcua').ClientSession;

/**
 * node-opcua-crypto (2.x) loads private keys with `process.env.OPENSSL_CONF = backup` where backup may
 * be undefined, which leaves the STRING "undefined" in the environment: every later `openssl` child
 * process (certificate generation in the simulator, report signing tools) then fails to start.
 * Undo that after each node-opcua call.
 */
export function repairOpensslEnv(): void {
  if (process.env.OPENSSL_CONF === 'undefined') delete process.env.OPENSSL_CONF;
}

/** What the sessions on one secure channel share: its evidence connection id and whether it has ended. */
interface ChannelLink {
  readonly conn: string;
  /** Why the secure channel ended (the device dropped it, or the harness closed it); unset while open. */
  lost?: string;
}

/**
 * One secure channel and one session on it at a time; `addSession` gives another session on the
 * same channel (a second identity while the first stays active) without another handshake.
 */
export class OpcuaChannel {
  private session: Session | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly ua: UA,
    private readonly client: Client,
    private readonly ctx: ChannelContext,
    readonly iface: OpcuaInterface,
    readonly endpointUrl: string,
    private readonly pkiDir: string,
    private readonly endpoints: EndpointPair,
    readonly securityPolicy: string,
    readonly securityMode: string,
    private readonly link: ChannelLink,
    /** The channel's own handle: its close() ends the secure channel; an added session's ends only itself. */
    private readonly owner: boolean,
  ) {}

  private get conn(): string {
    return this.link.conn;
  }

  /** False once the secure channel has ended: closed here, or dropped by the device (then every call fails). */
  get isOpen(): boolean {
    return !this.link.lost && !this.closing;
  }

  /** Why the secure channel ended, when it has. */
  get lostReason(): string | undefined {
    return this.link.lost;
  }

  /**
   * Open a secure channel to the endpoint (GetEndpoints happens as part of it). Throws ChannelError:
   * refused (port closed), timeout (no Hello/ACK or OpenSecureChannel answer), protocol (the server
   * rejected our channel, e.g. BadSecurityChecksFailed or an unsupported policy), aborted.
   */
  static async connect(iface: OpcuaInterface, ctx: ChannelContext, opts: OpcuaConnectOptions = {}): Promise<OpcuaChannel> {
    const ua = await import('node-opcua');
    const url = opts.endpoint ?? iface.endpoint;
    const policy = opts.securityPolicy ?? iface.securityPolicy;
    const mode = opts.securityMode ?? iface.securityMode;
    const m = /^opc\.tcp:\/\/([^/:]+|\[[^\]]+\]):?(\d+)?/.exec(url);
    if (!m) throw new ChannelError('setup', `not an opc.tcp:// endpoint: ${url}`);
    const endpoints: EndpointPair = { proto: 'tcp', local: 'harness', remote: `${m[1]}:${m[2] ?? 4840}` };
    // Explicit per-run PKI: never the shared ~/.config/node-opcua-default-nodejs.
    const pkiDir = await mkdtemp(join(tmpdir(), 'hil-opcua-'));
    const certificateManager = new ua.OPCUACertificateManager({ rootFolder: join(pkiDir, 'pki'), automaticallyAcceptUnknownCertificate: true });
    const timeoutMs = opts.timeoutMs ?? iface.timeoutMs;
    const client = ua.OPCUAClient.create({
      applicationName: 'hil-harness',
      applicationUri: `urn:hil-harness:${process.pid}:${Date.now()}`,
      endpointMustExist: false, // the server may advertise a hostname we do not use
      securityPolicy: ua.SecurityPolicy[policy as keyof typeof ua.SecurityPolicy] as import('node-opcua').SecurityPolicy,
      securityMode: ua.MessageSecurityMode[mode],
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 }, // the default retries forever
      requestedSessionTimeout: 60_000,
      transportTimeout: timeoutMs,
      keepSessionAlive: false,
      clientCertificateManager: certificateManager,
    });
    const log = (dir: 'tx' | 'rx' | 'open' | 'error', text: string, attrs?: Record<string, unknown>) =>
      ctx.evidence.append({ channel: 'opcua', protocol: 'opcua', dir, text, endpoints, ...(attrs ? { attrs } : {}) });
    log('tx', `Connect ${url} (Hello, OpenSecureChannel ${policy}/${mode})`);
    const signal = opSignal(ctx, opts, timeoutMs);
    try {
      await raceSignal(client.connect(url), signal, `OPC UA connect ${url}`, () => void client.disconnect().catch(() => undefined));
    } catch (e) {
      // Bounded: after a failed connect node-opcua's disconnect can wait ~60 s for its endpoint fetcher.
      await raceSignal(client.disconnect(), AbortSignal.timeout(3000), 'disconnect').catch(() => undefined);
      await rm(pkiDir, { recursive: true, force: true });
      repairOpensslEnv();
      let err = toChannelError(e, `OPC UA connect ${url}`, 'protocol');
      if (err.kind === 'timeout') err = new ChannelError(abortKind(ctx, opts), err.message, { cause: e });
      else if (/ECONNREFUSED/.test((e as Error)?.message ?? '')) err = new ChannelError('refused', err.message, { cause: e });
      else if (/ECONNRESET|closed|socket has been disconnected|premature/i.test((e as Error)?.message ?? '') && err.kind === 'protocol') err = new ChannelError('closed', err.message, { cause: e });
      log('error', `Connect failed (${err.kind}): ${err.message}`);
      throw err;
    }
    repairOpensslEnv();
    log('rx', `Connected: secure channel ${policy}/${mode} open`);
    const link: ChannelLink = { conn: nextConnId('opcua') };
    // With no reconnect strategy node-opcua reports a dropped channel as 'close' with an error.
    client.on('close', (err?: Error | null) => {
      if (link.lost) return;
      link.lost = err ? `closed by the server: ${err.message}` : 'closed';
      if (err) ctx.evidence.append({ channel: 'opcua', protocol: 'opcua', conn: link.conn, dir: 'close', text: `secure channel ${link.lost}`, endpoints, attrs: { by: 'remote' } });
    });
    return new OpcuaChannel(ua, client, ctx, iface, url, pkiDir, endpoints, policy, mode, link, true);
  }

  /** Another session on this secure channel; its close() ends only that session. */
  addSession(): OpcuaChannel {
    if (!this.isOpen) throw new ChannelError('closed', `OPC UA secure channel ${this.link.lost ?? 'closed'}`);
    return new OpcuaChannel(this.ua, this.client, this.ctx, this.iface, this.endpointUrl, this.pkiDir, this.endpoints, this.securityPolicy, this.securityMode, this.link, false);
  }

  /** GetEndpoints: every endpoint with its security policy, mode and user token types. */
  async getEndpoints(opts: OpOptions = {}): Promise<EndpointInfo[]> {
    const ua = this.ua;
    this.requireChannel();
    this.log('tx', 'GetEndpoints');
    const eps = await this.bounded(this.client.getEndpoints(), opts, 'GetEndpoints');
    const out = eps.map((ep) => ({
      endpointUrl: ep.endpointUrl ?? '',
      securityPolicy: (ep.securityPolicyUri ?? '').replace(/^.*#/, ''),
      securityMode: ua.MessageSecurityMode[ep.securityMode] as EndpointInfo['securityMode'],
      userTokenTypes: (ep.userIdentityTokens ?? []).map((t) => ua.UserTokenType[t.tokenType] as EndpointInfo['userTokenTypes'][number]),
      securityLevel: ep.securityLevel,
    }));
    this.log('rx', `GetEndpoints: ${out.map((e) => `${e.securityPolicy}/${e.securityMode} [${e.userTokenTypes.join(',')}]`).join('; ')}`, { endpoints: out });
    return out;
  }

  /**
   * CreateSession + ActivateSession with a user name/password or anonymously. For 'anonymous', when
   * the server does not advertise an Anonymous token policy, node-opcua would refuse locally and send
   * nothing (a false PASS for "anonymous is rejected"); we add an Anonymous policy to the client's copy
   * of the endpoint so a real ActivateSession with an AnonymousIdentityToken reaches the server, and
   * the server's own answer (e.g. BadIdentityTokenInvalid) is what we report.
   */
  async createSession(identity: OpcuaIdentity, opts: OpOptions & { injectEndpoint?: boolean } = {}): Promise<SessionResult> {
    const ua = this.ua;
    await this.closeSession();
    this.requireChannel();
    let injected = false;
    // Same idea for the channel's security (e.g. None/None on a server that does not advertise it):
    // node-opcua refuses locally ("End point must exist"), so add the endpoint and let the server answer.
    const endpointInjected = opts.injectEndpoint ? this.injectOwnEndpoint() : false;
    let userIdentity: import('node-opcua').UserIdentityInfo;
    if (identity === 'anonymous') {
      const eps = (this.client as unknown as { _serverEndpoints?: import('node-opcua').EndpointDescription[] })._serverEndpoints ?? [];
      for (const ep of eps) {
        const tokens = ep.userIdentityTokens ?? [];
        if (!tokens.some((t) => t.tokenType === ua.UserTokenType.Anonymous)) {
          tokens.push(new ua.UserTokenPolicy({ policyId: 'anonymous', tokenType: ua.UserTokenType.Anonymous }));
          ep.userIdentityTokens = tokens;
          injected = true;
        }
      }
      userIdentity = { type: ua.UserTokenType.Anonymous };
      this.log('tx', `CreateSession + ActivateSession anonymous${injected ? ' (anonymous token policy injected: not advertised by the server)' : ''}`);
    } else {
      this.ctx.evidence.redactor.add(identity.password);
      userIdentity = { type: ua.UserTokenType.UserName, userName: identity.username, password: identity.password };
      this.log('tx', `CreateSession + ActivateSession user=${identity.username}`);
    }
    try {
      repairOpensslEnv();
      const pending: Promise<Session> = this.client.createSession(userIdentity);
      this.session = await this.bounded(pending, opts, 'CreateSession', (p) =>
        void p.then((s) => s.close().catch(() => undefined)).catch(() => undefined),
      );
      repairOpensslEnv();
      const r: SessionResult = { ok: true, status: 'Good', statusCode: 0, ...(identity === 'anonymous' ? { anonymousPolicyInjected: injected } : {}), ...(opts.injectEndpoint ? { endpointInjected } : {}) };
      this.log('rx', 'ActivateSession: Good', { status: r.status });
      return r;
    } catch (e) {
      if (e instanceof ChannelError && (e.kind === 'aborted' || e.kind === 'timeout')) throw e;
      const s = statusFromError(e);
      const r: SessionResult = {
        ok: false,
        status: s?.status ?? 'Unknown',
        statusCode: s?.statusCode ?? -1,
        message: (e as Error)?.message,
        ...(identity === 'anonymous' ? { anonymousPolicyInjected: injected } : {}),
        ...(opts.injectEndpoint ? { endpointInjected } : {}),
      };
      this.log('rx', `Session refused: ${r.status}${s ? ` (0x${r.statusCode.toString(16)})` : `: ${r.message}`}`, { status: r.status });
      return r;
    }
  }

  /** Write a Value attribute; the server's status (Good, BadOutOfRange, BadUserAccessDenied, ...) is returned. */
  async write(nodeId: string, dataType: 'Double' | 'Float' | 'Int32' | 'UInt16' | 'UInt32' | 'Boolean' | 'String', value: unknown, opts: OpOptions = {}): Promise<WriteResult> {
    const ua = this.ua;
    const session = this.requireSession();
    this.log('tx', `Write ${nodeId} = ${JSON.stringify(value)} (${dataType})`);
    const sc = await this.bounded(
      session.write({ nodeId, attributeId: ua.AttributeIds.Value, value: { value: { dataType: ua.DataType[dataType], value } } }),
      opts,
      'Write',
    );
    const r = { ok: sc.isGood(), status: sc.name, statusCode: sc.value };
    this.log('rx', `Write ${nodeId}: ${r.status}`, { status: r.status });
    return r;
  }

  /** Read a Value attribute. */
  async read(nodeId: string, opts: OpOptions = {}): Promise<ReadResult> {
    const ua = this.ua;
    const session = this.requireSession();
    this.log('tx', `Read ${nodeId}`);
    const dv = await this.bounded(session.read({ nodeId, attributeId: ua.AttributeIds.Value }), opts, 'Read');
    const sc = dv.statusCode;
    const r: ReadResult = { ok: sc.isGood(), status: sc.name, statusCode: sc.value, value: dv.value?.value, dataType: ua.DataType[dv.value?.dataType ?? 0] };
    this.log('rx', `Read ${nodeId}: ${r.status} ${JSON.stringify(r.value)}`, { status: r.status });
    return r;
  }

  /** Close the active session, if any. */
  async closeSession(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s || this.link.lost) return; // a session ends with its secure channel
    this.log('tx', 'CloseSession');
    await raceSignal(s.close(), AbortSignal.timeout(2000), 'CloseSession').catch(() => undefined);
  }

  /** Close the session and (the channel's own handle only) the secure channel and the per-run PKI folder. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.closeSession();
      if (!this.owner) return;
      this.link.lost ??= 'closed by the harness';
      await raceSignal(this.client.disconnect(), AbortSignal.timeout(3000), 'disconnect').catch(() => undefined);
      this.ctx.evidence.append({ channel: 'opcua', protocol: 'opcua', conn: this.conn, dir: 'close', text: 'disconnected', endpoints: this.endpoints });
      await rm(this.pkiDir, { recursive: true, force: true });
      repairOpensslEnv();
    })();
    return this.closing;
  }

  /** Add this channel's security policy/mode to the client's copy of the server endpoints when absent; true if added. */
  private injectOwnEndpoint(): boolean {
    const ua = this.ua;
    const eps = (this.client as unknown as { _serverEndpoints?: import('node-opcua').EndpointDescription[] })._serverEndpoints ?? [];
    const policyUri = ua.SecurityPolicy[this.securityPolicy as keyof typeof ua.SecurityPolicy] as string;
    const mode = ua.MessageSecurityMode[this.securityMode as keyof typeof ua.MessageSecurityMode];
    if (!eps.length || eps.some((e) => e.securityPolicyUri === policyUri && e.securityMode === mode)) return false;
    eps.push(new ua.EndpointDescription({ ...eps[0]!, securityMode: mode, securityPolicyUri: policyUri }));
    this.log('tx', `endpoint ${this.securityPolicy}/${this.securityMode} not advertised by the server: injected so CreateSession reaches it`);
    return true;
  }

  /** A call on a channel that has ended fails at once, saying why, instead of waiting out its deadline. */
  private requireChannel(): void {
    if (this.link.lost) throw new ChannelError('closed', `OPC UA secure channel ${this.link.lost}`);
  }

  private requireSession(): Session {
    this.requireChannel();
    if (!this.session) throw new ChannelError('setup', 'no OPC UA session: call createSession() first');
    return this.session;
  }

  private log(dir: 'tx' | 'rx', text: string, attrs?: Record<string, unknown>): void {
    this.ctx.evidence.append({ channel: 'opcua', protocol: 'opcua', conn: this.conn, dir, text, endpoints: this.endpoints, ...(attrs ? { attrs: { ...attrs, service: true } } : {}) });
  }

  /** Race a service call against the deadline; on deadline the late result is cleaned up by `onLate`. */
  private async bounded<T>(work: Promise<T>, opts: OpOptions, what: string, onLate?: (p: Promise<T>) => void): Promise<T> {
    const signal = opSignal(this.ctx, opts, this.iface.timeoutMs);
    try {
      return await raceSignal(work, signal, `OPC UA ${what}`, () => onLate?.(work));
    } catch (e) {
      if (e instanceof ChannelError) throw e;
      const ce = toChannelError(e, `OPC UA ${what}`, 'protocol');
      if (ce.kind === 'timeout') {
        this.ctx.evidence.append({ channel: 'opcua', protocol: 'opcua', conn: this.conn, dir: 'error', text: `${what}: deadline`, endpoints: this.endpoints });
        throw new ChannelError(abortKind(this.ctx, opts), ce.message, { cause: e });
      }
      throw e; // service faults are interpreted by the caller (statusFromError)
    }
  }
}
