import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { ChangeOutcome, PasswordChanger } from '../capabilities/password-changer.js';
import type { ConsoleAuthSurface } from './console-auth.js';

/**
 * Changes a password through the console's declared command template (`passwd {old} {new}`) and
 * judges the result by effect, not by the reply: afterwards the new password is tried, then the
 * old one. At most one failed login per change, always followed by a good one, so the probes
 * never walk the account into a lockout (counter reset on success).
 */
export class ConsolePasswordChanger implements PasswordChanger {
  constructor(
    private readonly surface: ConsoleAuthSurface,
    private readonly cfg: ConsoleInterface,
    private readonly template: string,
    readonly username: string,
  ) {}

  async change(old: string, next: string, signal: AbortSignal): Promise<ChangeOutcome> {
    const cmd = this.template.replaceAll('{old}', old).replaceAll('{new}', next);
    const r = await this.surface.runCommand(this.username, old, cmd, signal);
    if (!r.shell) return { effect: 'unknown', reply: '', detail: `could not log in with the current password to change it: ${r.detail}` };
    const withNew = await this.surface.attempt(this.username, next, signal);
    if (withNew.outcome === 'accepted') return { effect: 'changed', reply: r.output, detail: 'the new password logs in' };
    const withOld = await this.surface.attempt(this.username, old, signal);
    if (withOld.outcome === 'accepted') return { effect: 'unchanged', reply: r.output, detail: 'the old password still logs in, the new one does not' };
    return { effect: 'unknown', reply: r.output, detail: `neither password logs in (new: ${withNew.detail}; old: ${withOld.detail})` };
  }

  async setSame(current: string, signal: AbortSignal): Promise<{ accepted: boolean | undefined; reply: string; detail: string }> {
    const ok = this.cfg.responses.passwordChanged;
    // Without a pattern the reply cannot be judged, so the command is not even sent.
    if (!ok) return { accepted: undefined, reply: '', detail: 'no responses.passwordChanged pattern' };
    const cmd = this.template.replaceAll('{old}', current).replaceAll('{new}', current);
    const r = await this.surface.runCommand(this.username, current, cmd, signal);
    return { accepted: r.shell && compilePattern(ok).test(r.output), reply: r.output, detail: r.detail };
  }
}
