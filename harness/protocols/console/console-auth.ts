import { ConsoleChannel } from './console-channel.js';
import type { ChannelContext } from '../transport/channel.js';
import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { AuthAttempt, AuthSurface, ControlAccount, UnauthenticatedResult } from '../capabilities/auth-surface.js';
import { consoleUnauthenticated } from './console-unauthenticated.js';

/**
 * Console logins. One serial line is one physical port, so the channel stays open across
 * attempts (re-opened if the device drops it). A login counts only when the profile's
 * authenticated-only status command then works.
 */
export class ConsoleAuthSurface implements AuthSurface {
  readonly iface = 'console' as const;
  private channel: ConsoleChannel | undefined;

  constructor(
    private readonly cfg: ConsoleInterface,
    private readonly ctx: ChannelContext,
  ) {}

  private async open(signal: AbortSignal): Promise<ConsoleChannel> {
    if (!this.channel || this.channel.closed) this.channel = await ConsoleChannel.open(this.cfg, this.ctx, { signal });
    return this.channel;
  }

  async attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt> {
    const t0 = performance.now();
    const done = (outcome: AuthAttempt['outcome'], detail: string): AuthAttempt => ({ outcome, detail, durationMs: Math.round(performance.now() - t0) });
    let con: ConsoleChannel;
    try {
      con = await this.open(signal);
    } catch (e) {
      return done('error', `console not reachable: ${(e as Error).message}`);
    }
    let r = await con.login(username, password, { signal });
    if (r.outcome === 'shell' && r.alreadyLoggedIn) {
      // Someone left a session open: end it and log in again. A shell straight after logout
      // means the console needs no login at all, and then no login can be judged here.
      await con.logout({ signal }).catch(() => undefined);
      r = await con.login(username, password, { signal });
    }
    switch (r.outcome) {
      case 'shell': {
        if (r.alreadyLoggedIn) {
          await con.logout({ signal }).catch(() => undefined);
          return done('error', 'console gives a shell without login (a shell prompt again right after logout): logins cannot be judged');
        }
        const status = await con.run(this.cfg.commands.status, { signal }).catch((e: Error) => ({ output: e.message, promptSeen: 'error' }));
        const ok = compilePattern(this.cfg.responses.statusOk).test(status.output);
        await con.logout({ signal }).catch(() => undefined);
        return ok
          ? done('accepted', `shell prompt (${r.shellLevel}) and "${this.cfg.commands.status}" worked`)
          : done('restricted', `shell prompt but "${this.cfg.commands.status}" did not work: ${status.output.slice(0, 120)}`);
      }
      case 'failure':
      case 'login-again':
        return done('refused', `console: ${r.promptSeen ?? r.outcome}`);
      case 'locked':
        return done('locked', 'console: lock message');
      default:
        await this.close();
        return done('error', `console: ${r.outcome}${r.promptSeen ? ` after ${r.promptSeen} prompt` : ''}`);
    }
  }

  /**
   * Log in and run one command in the shell, whatever the shell allows (a must-change session
   * still runs `passwd`), then log out. `shell` false: the login itself did not give a shell.
   * Used for password changes, which only the console offers.
   */
  async runCommand(username: string, password: string, command: string, signal: AbortSignal): Promise<{ shell: boolean; output: string; detail: string }> {
    let con: ConsoleChannel;
    try {
      con = await this.open(signal);
    } catch (e) {
      return { shell: false, output: '', detail: `console not reachable: ${(e as Error).message}` };
    }
    let r = await con.login(username, password, { signal });
    if (r.outcome === 'shell' && r.alreadyLoggedIn) {
      await con.logout({ signal }).catch(() => undefined);
      r = await con.login(username, password, { signal });
    }
    if (r.outcome !== 'shell') {
      if (r.outcome !== 'failure' && r.outcome !== 'login-again' && r.outcome !== 'locked') await this.close();
      return { shell: false, output: '', detail: `console: ${r.promptSeen ?? r.outcome}` };
    }
    if (r.alreadyLoggedIn) {
      await con.logout({ signal }).catch(() => undefined);
      return { shell: false, output: '', detail: 'console gives a shell without login: cannot log in as a given user' };
    }
    const out = await con.run(command, { signal }).catch((e: Error) => ({ output: `(no prompt after the command: ${e.message})`, promptSeen: 'error' }));
    await con.logout({ signal }).catch(() => undefined);
    return { shell: true, output: out.output, detail: `ran "${command.split(' ')[0]}" (${out.promptSeen})` };
  }

  /** Positive control, then no shell and no command without a login (on the same line). */
  async unauthenticated(account: ControlAccount | undefined, signal: AbortSignal): Promise<UnauthenticatedResult> {
    return consoleUnauthenticated(await this.open(signal), this.cfg, account, signal);
  }

  async close(): Promise<void> {
    await this.channel?.close();
    this.channel = undefined;
  }
}
