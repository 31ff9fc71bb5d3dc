import type { Findings } from '../../core/finding.js';
import type { ConsoleChannel, LoginResult } from './console-channel.js';
import type { ChannelContext } from '../transport/channel.js';
import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { AuthAttempt, AuthSurface, ControlAccount, UnauthenticatedResult } from '../capabilities/auth-surface.js';
import { ConsoleLine } from './console-line.js';
import { consoleUnauthenticated } from './console-unauthenticated.js';

/**
 * Console logins. One serial line is one physical port, so the channel stays open across
 * attempts (re-opened if the device drops it, and after every logout where each connection is a
 * session). A login counts only when the profile's authenticated-only status command then works.
 */
export class ConsoleAuthSurface implements AuthSurface {
  private readonly line: ConsoleLine;

  /** `iface`: the console interface this is ('console', or 'console-<key>' for a further endpoint). */
  constructor(
    private readonly cfg: ConsoleInterface,
    ctx: ChannelContext,
    readonly iface: string = 'console',
  ) {
    this.line = new ConsoleLine(cfg, ctx);
  }

  private open(signal: AbortSignal): Promise<ConsoleChannel> {
    return this.line.open(signal);
  }

  /** Log out, and reconnect for the next session where the device ends it with the line. */
  private async logout(con: ConsoleChannel, signal: AbortSignal): Promise<void> {
    await con.logout({ signal }).catch(() => undefined);
    await this.line.endSession();
  }

  /**
   * Log in on the line. Someone left a session open: end it and log in again (a shell straight
   * after logout means the console needs no login at all; the callers say so).
   */
  private async login(username: string, password: string, signal: AbortSignal): Promise<{ con: ConsoleChannel; r: LoginResult } | { unreachable: string }> {
    let con: ConsoleChannel;
    try {
      con = await this.open(signal);
    } catch (e) {
      return { unreachable: `console not reachable: ${(e as Error).message}` };
    }
    let r = await con.login(username, password, { signal });
    if (r.outcome === 'shell' && r.alreadyLoggedIn) {
      await this.logout(con, signal);
      try {
        con = await this.open(signal);
      } catch (e) {
        return { unreachable: `console not reachable after logout: ${(e as Error).message}` };
      }
      r = await con.login(username, password, { signal });
    }
    return { con, r };
  }

  async attempt(username: string, password: string, signal: AbortSignal): Promise<AuthAttempt> {
    const t0 = performance.now();
    const done = (outcome: AuthAttempt['outcome'], detail: string): AuthAttempt => ({ outcome, detail, durationMs: Math.round(performance.now() - t0) });
    const l = await this.login(username, password, signal);
    if ('unreachable' in l) return done('error', l.unreachable);
    const { con, r } = l;
    switch (r.outcome) {
      case 'shell': {
        if (r.alreadyLoggedIn) {
          await this.logout(con, signal);
          return done('error', 'console gives a shell without login (a shell prompt again right after logout): logins cannot be judged');
        }
        const status = await con.run(this.cfg.commands.status, { signal }).catch((e: Error) => ({ output: e.message, promptSeen: 'error' }));
        const ok = compilePattern(this.cfg.responses.statusOk).test(status.output);
        await this.logout(con, signal);
        return ok
          ? done('accepted', `shell prompt (${r.shellLevel}) and "${this.cfg.commands.status}" worked`)
          : done('restricted', `shell prompt but "${this.cfg.commands.status}" did not work: ${status.output.slice(0, 120)}`);
      }
      case 'failure':
      case 'login-again':
        await this.line.failed();
        return done('refused', `console: ${r.promptSeen ?? r.outcome}`);
      case 'locked':
        await this.line.failed();
        return done('locked', 'console: lock message');
      default: {
        // The declared drop after N failures is the device refusing this attempt; the next one reconnects.
        const dropped = await this.line.droppedAfterFailure(r);
        if (dropped) return done('refused', dropped);
        await this.close();
        return done('error', `console: ${r.outcome}${r.promptSeen ? ` after ${r.promptSeen} prompt` : ''}`);
      }
    }
  }

  /**
   * Log in and run one command in the shell, whatever the shell allows (a must-change session
   * still runs `passwd`), then log out. `shell` false: the login itself did not give a shell.
   * Used for password changes, which only the console offers.
   */
  async runCommand(username: string, password: string, command: string, signal: AbortSignal): Promise<{ shell: boolean; output: string; detail: string }> {
    const l = await this.login(username, password, signal);
    if ('unreachable' in l) return { shell: false, output: '', detail: l.unreachable };
    const { con, r } = l;
    if (r.outcome !== 'shell') {
      if (r.outcome === 'failure' || r.outcome === 'login-again' || r.outcome === 'locked') await this.line.failed();
      else if (!(await this.line.droppedAfterFailure(r))) await this.close();
      return { shell: false, output: '', detail: `console: ${r.promptSeen ?? r.outcome}` };
    }
    if (r.alreadyLoggedIn) {
      await this.logout(con, signal);
      return { shell: false, output: '', detail: 'console gives a shell without login: cannot log in as a given user' };
    }
    const out = await con.run(command, { signal }).catch((e: Error) => ({ output: `(no prompt after the command: ${e.message})`, promptSeen: 'error' }));
    await this.logout(con, signal);
    return { shell: true, output: out.output, detail: `ran "${command.split(' ')[0]}" (${out.promptSeen})` };
  }

  /**
   * Positive control, then no shell and no command without a login: on the same line, or on a
   * new connection where the logout closed it (a session per connection).
   */
  async unauthenticated(account: ControlAccount | undefined, signal: AbortSignal, out?: Findings): Promise<UnauthenticatedResult> {
    const afterLogout = async () => {
      await this.line.endSession();
      return this.open(signal);
    };
    return consoleUnauthenticated(await this.open(signal), afterLogout, this.cfg, this.iface, account, signal, out);
  }

  async close(): Promise<void> {
    await this.line.close();
  }
}
