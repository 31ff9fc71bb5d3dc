/**
 * The console line an auth surface logs in on, held as the device's declared session model says
 * (interfaces.console.session): a per-connection console (telnet, SSH, a terminal server running
 * one `login` per connection) ends the session by closing the line on logout, and many consoles
 * drop the line after a few failed logins (`login`'s "Maximum number of tries exceeded"). Both are
 * behaviours, not faults: the line is reopened and the walk carries on.
 */
import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { ChannelContext } from '../transport/channel.js';
import { ConsoleChannel, type LoginResult } from './console-channel.js';

export class ConsoleLine {
  private channel: ConsoleChannel | undefined;
  /** Failed logins on the current connection (the device's per-session retry counter, as far as we caused it). */
  private failures = 0;

  constructor(
    private readonly cfg: ConsoleInterface,
    private readonly ctx: ChannelContext,
  ) {}

  /** The open line, reconnected when the device (or we) closed it. */
  async open(signal: AbortSignal): Promise<ConsoleChannel> {
    if (!this.channel || this.channel.closed) {
      this.channel = await ConsoleChannel.open(this.cfg, this.ctx, { signal });
      this.failures = 0;
    }
    return this.channel;
  }

  /** After a logout: where every connection is a session (or the device closed the line) the next login needs a new connection. */
  async endSession(): Promise<void> {
    if (this.cfg.session?.model === 'per-connection' || this.channel?.closed) await this.close();
  }

  /** A refused login on this connection; when the device drops the line at this count, ours is closed too so the next attempt reconnects. */
  async failed(): Promise<void> {
    this.failures++;
    const drop = this.cfg.session?.dropAfterFailures;
    if (drop !== undefined && this.failures >= drop) await this.close();
  }

  /**
   * A login that ended with the line closing after the credentials were sent: when the profile
   * declares that the device drops the line after N failures and this was the N-th failure on this
   * connection (or later), it is that drop, and the attempt counts as a refused login (the
   * detail says so). Otherwise undefined: an undeclared close decides nothing.
   */
  async droppedAfterFailure(r: LoginResult): Promise<string | undefined> {
    const drop = this.cfg.session?.dropAfterFailures;
    const closed = r.outcome === 'closed' || this.channel?.closed === true;
    const credentialsSent = r.promptSeen === 'password' || r.promptSeen === 'login';
    if (drop === undefined || !closed || !credentialsSent || r.outcome === 'shell') return undefined;
    const nth = this.failures + 1;
    if (nth < drop) return undefined;
    await this.close();
    return `console dropped the line after failed login #${nth} on this connection (declared: drops after ${drop})`;
  }

  async close(): Promise<void> {
    const c = this.channel;
    this.channel = undefined;
    this.failures = 0;
    await c?.close();
  }
}
