/**
 * The secure channel a login surface keeps for its scenario (issue 16): opened on first use, every
 * attempt a session of its own on it, reopened when the device dropped it, closed with the surface.
 * Opening a channel is an RSA handshake (0.3–3 s on a loaded core); a session costs a fraction.
 * Checks that need a new connection per attempt close it first (`close()`); the next use reopens.
 */
import type { OpcuaInterface } from '../../profile/target-schema.js';
import { ChannelError, type ChannelContext } from '../transport/channel.js';
import { OpcuaChannel } from './opcua-channel.js';
import type { OpcuaIdentity, SessionResult } from './opcua-service-types.js';

/** A session handle on the shared channel (close it when done) and what ActivateSession said. */
export interface SharedSession {
  ch: OpcuaChannel;
  result: SessionResult;
}

export class SharedOpcuaChannel {
  private ch: OpcuaChannel | undefined;

  constructor(
    private readonly cfg: OpcuaInterface,
    private readonly ctx: ChannelContext,
  ) {}

  /** The open channel, else one bounded connect (none yet, closed, or dropped by the device); `fresh` when it was opened now. */
  async channel(signal: AbortSignal): Promise<{ ch: OpcuaChannel; fresh: boolean }> {
    if (this.ch?.isOpen) return { ch: this.ch, fresh: false };
    await this.close(); // a dropped channel: its PKI folder and the evidence close record
    this.ch = await OpcuaChannel.connect(this.cfg, this.ctx, { signal });
    return { ch: this.ch, fresh: true };
  }

  /**
   * CreateSession + ActivateSession as `identity` in a session of its own. A reused channel found
   * ended before anything was sent (the device dropped it between attempts) is reopened once: the
   * device saw no attempt, so none is counted twice. Connect errors are thrown (ChannelError).
   */
  async session(identity: OpcuaIdentity, signal: AbortSignal): Promise<SharedSession> {
    for (let retried = false; ; retried = true) {
      const { ch, fresh } = await this.channel(signal);
      try {
        const s = ch.addSession();
        return { ch: s, result: await s.createSession(identity, { signal }) };
      } catch (e) {
        // Only a 'closed' ChannelError is raised before a request goes out (see OpcuaChannel.requireChannel).
        const unsent = e instanceof ChannelError && e.kind === 'closed';
        if (!unsent || fresh || retried) throw e;
      }
    }
  }

  /** Ends the secure channel; the next use opens a new one. */
  async close(): Promise<void> {
    const ch = this.ch;
    this.ch = undefined;
    await ch?.close();
  }
}
