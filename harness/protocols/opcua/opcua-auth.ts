import type { Findings } from '../../core/finding.js';
import { ChannelError, type ChannelContext } from '../transport/channel.js';
import type { OpcuaIdentity, SessionResult } from './opcua-service-types.js';
import { SharedOpcuaChannel, type SharedSession } from './opcua-shared-channel.js';
import type { OpcuaInterface, TargetProfile } from '../../profile/target-schema.js';
import type { AuthAttempt, AuthOutcome, AuthSurface, ControlAccount, UnauthenticatedResult } from '../capabilities/auth-surface.js';
import { opcuaUnauthenticated } from './opcua-unauthenticated.js';

/** Session statuses that mean "this identity is refused" (as opposed to a broken channel or server). */
const REFUSED = new Set(['BadUserAccessDenied', 'BadIdentityTokenRejected', 'BadIdentityTokenInvalid']);

/** Server_ServerStatus_CurrentTime: readable on every server, used when the profile declares no OPC UA point. */
export const SERVER_TIME_NODE = 'i=2258';

/** The profile's first declared OPC UA point, if any. */
export function firstOpcuaPoint(target: TargetProfile): { name: string; nodeId: string } | undefined {
  for (const [name, p] of Object.entries(target.policy.points)) if (p.opcua) return { name, nodeId: p.opcua.nodeId };
  return undefined;
}

/** The node whose read proves a session is usable: the profile's first declared OPC UA point. */
export function opcuaProofNode(target: TargetProfile): string {
  return firstOpcuaPoint(target)?.nodeId ?? SERVER_TIME_NODE;
}

export function sessionOutcome(s: SessionResult): AuthOutcome {
  return REFUSED.has(s.status) ? 'refused' : 'error';
}

/**
 * OPC UA UserName login. The surface keeps one secure channel with the profile's security policy
 * and mode for the scenario (reopened when the device dropped it); each attempt is its own
 * CreateSession + ActivateSession on it, closed after. `close()` ends the channel, so a check that
 * needs a new connection per attempt (the lockout reconnect check) closes it before each.
 * 'accepted' needs the session AND a read of a declared node (a server may activate a session it
 * then refuses everything to). OPC UA has no standard "locked" status: a lock shows as
 * BadUserAccessDenied, i.e. 'refused'.
 */
export class OpcuaAuthSurface implements AuthSurface {
  readonly iface = 'opcua' as const;
  private readonly shared: SharedOpcuaChannel;

  constructor(
    private readonly cfg: OpcuaInterface,
    ctx: ChannelContext,
    /** Node read after login as the authenticated-only action. */
    private readonly proofNode: string = SERVER_TIME_NODE,
    /** The declared point an anonymous session tries to read, to say what it exposes. */
    private readonly readable?: { name: string; nodeId: string },
  ) {
    this.shared = new SharedOpcuaChannel(cfg, ctx);
  }

  /** Ends the secure channel (the scenario's end, or before an attempt that must come on a new connection). */
  close(): Promise<void> {
    return this.shared.close();
  }

  /** The channel registers the password with the evidence redactor before it is sent. */
  attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt> {
    return this.login({ username, password }, signal);
  }

  /** Positive control, then a real anonymous ActivateSession, on the surface's secure channel. `out`: the scenario's sink. */
  async unauthenticated(account: ControlAccount | undefined, signal: AbortSignal, out?: Findings): Promise<UnauthenticatedResult> {
    const ch = (await this.shared.channel(signal)).ch.addSession();
    try {
      return await opcuaUnauthenticated(ch, `${this.cfg.securityPolicy}/${this.cfg.securityMode}`, account, this.readable, out);
    } finally {
      await ch.close();
    }
  }

  private async login(identity: OpcuaIdentity, signal: AbortSignal): Promise<AuthAttempt> {
    const t0 = performance.now();
    const done = (outcome: AuthOutcome, detail: string): AuthAttempt => ({ outcome, detail, durationMs: Math.round(performance.now() - t0) });
    // A channel that failed or stalled an attempt is not trusted with the next one: it reconnects.
    const failed = async (e: unknown, what: string): Promise<AuthAttempt> => {
      await this.shared.close();
      if (e instanceof ChannelError && e.kind === 'aborted') throw e;
      return done('error', `opcua: ${what}${(e as Error).message}`);
    };
    let session: SharedSession;
    try {
      session = await this.shared.session(identity, signal);
    } catch (e) {
      return failed(e, `secure channel ${this.cfg.securityPolicy}/${this.cfg.securityMode} or session failed: `);
    }
    const { ch, result: s } = session;
    try {
      if (!s.ok) return done(sessionOutcome(s), `opcua: ActivateSession ${s.status}${s.anonymousPolicyInjected ? ' (anonymous not advertised; token sent anyway)' : ''}`);
      const r = await ch.read(this.proofNode, { signal });
      return r.ok
        ? done('accepted', `opcua: session Good and Read ${this.proofNode} Good`)
        : done('restricted', `opcua: session Good but Read ${this.proofNode} ${r.status}`);
    } catch (e) {
      await ch.close();
      return failed(e, '');
    } finally {
      await ch.close();
    }
  }
}
