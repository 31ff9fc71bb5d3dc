/**
 * Point access over the serial console as the admin account: the profile's `setPoint` template to
 * write, `responses.rejected` to recognise a refusal, and the `status` command's output searched
 * with the `responses.pointValue` template (or a generic "name: value" reader) to read back.
 */
import type { ChannelContext } from '../transport/channel.js';
import { ConsoleChannel } from './console-channel.js';
import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import { consolePointValue, pointValuePattern } from './console-point.js';
import { TypedPointAccess, type PointRef, type ReadOutcome, type WriteOutcome } from '../capabilities/point-access.js';

export class ConsolePointAccess extends TypedPointAccess {
  readonly path = 'console' as const;

  private constructor(
    private readonly iface: ConsoleInterface,
    private readonly con: ConsoleChannel,
    private readonly account: { username: string; password: string },
  ) {
    super();
  }

  static async open(iface: ConsoleInterface, account: { username: string; password: string }, ctx: ChannelContext): Promise<ConsolePointAccess> {
    const con = await ConsoleChannel.open(iface, ctx);
    const a = new ConsolePointAccess(iface, con, account);
    try {
      await a.login();
    } catch (e) {
      await con.close();
      throw e;
    }
    return a;
  }

  unsupported(p: PointRef): string | undefined {
    if (!p.spec.console) return 'no console name declared';
    if (!this.iface.commands.setPoint) return 'the profile declares no console setPoint command';
    if (!this.iface.responses.rejected) return 'the profile declares no console refusal pattern (responses.rejected)';
    return undefined;
  }

  async read(p: PointRef): Promise<ReadOutcome> {
    const out = await this.run(this.iface.commands.status);
    const name = p.spec.console!.name;
    const v = consolePointValue(this.iface, name, out);
    if (v === undefined) return { ok: false, error: `"${this.iface.commands.status}" output has no value for ${name}: ${out.slice(0, 120)}` };
    const { declared } = pointValuePattern(this.iface, name);
    return { ok: true, value: v, text: `${name}=${v}${declared ? '' : ' (generic "name: value" reader; the profile declares no responses.pointValue)'}` };
  }

  async write(p: PointRef, value: number | string): Promise<WriteOutcome> {
    const cmd = this.iface.commands.setPoint!.replaceAll('{point}', p.spec.console!.name).replaceAll('{value}', String(value));
    const out = await this.run(cmd);
    const rejected = compilePattern(this.iface.responses.rejected!).test(out) || (this.iface.responses.permissionDenied ? compilePattern(this.iface.responses.permissionDenied).test(out) : false);
    const line = out.split('\n')[0]?.trim() ?? '';
    return { replyRejected: rejected, code: line.slice(0, 120), reply: `"${line.slice(0, 120)}"`, sent: cmd };
  }

  async close(): Promise<void> {
    await this.con.logout({ timeoutMs: this.iface.timeoutMs }).catch(() => undefined);
    await this.con.close();
  }

  private async login(): Promise<void> {
    const r = await this.con.login(this.account.username, this.account.password);
    if (r.outcome !== 'shell') throw new Error(`console login as ${this.account.username}: ${r.outcome}${r.promptSeen ? ` (${r.promptSeen})` : ''}`);
  }

  /** Run a command; if the session ended (idle logout), log in again once and retry. */
  private async run(cmd: string): Promise<string> {
    let r = await this.con.run(cmd);
    if (r.promptSeen !== 'shell' && r.promptSeen !== 'adminShell') {
      await this.login();
      r = await this.con.run(cmd);
      if (r.promptSeen !== 'shell' && r.promptSeen !== 'adminShell') throw new Error(`console: "${cmd}" ended at the ${r.promptSeen} prompt`);
    }
    return r.output;
  }
}
