/**
 * Binary noise on the console (serial line or terminal server): afterwards the console must still
 * show a prompt when woken up.
 */
import { sleep } from '../../core/deadline.js';
import { noise, type MalformedInputCapability, type MalformedSession } from '../capabilities/malformed-input.js';
import { ConsoleChannel } from './console-channel.js';
import { consoleConfig } from './console-endpoints.js';

/** Wake-ups tried before the console counts as not answering. */
const WAKE_ATTEMPTS = 3;

export const malformedConsole: MalformedInputCapability = {
  async open(t, iface, opts, ctx): Promise<MalformedSession> {
    const con = consoleConfig(t, iface);
    const ch = await ConsoleChannel.open(con, ctx);
    const prompts = { login: new RegExp(con.prompts.login), password: new RegExp(con.prompts.password), shell: new RegExp(con.prompts.shell) };
    return {
      cases: [{ name: 'binary noise on the console (2 KiB)', bytes: noise(2048, 41) }],
      async send(c) {
        await ch.sendRaw(c.bytes, { text: `malformed: ${c.name}` });
        await sleep(opts.reactionWaitMs, opts.signal);
        return { text: `${ch.discardPending().length} characters of reaction` };
      },
      async alive() {
        for (let i = 0; i < WAKE_ATTEMPTS; i++) {
          ch.discardPending();
          await ch.sendRaw(con.wakeup);
          if (await ch.tryWaitFor(prompts, { timeoutMs: con.timeoutMs })) return true;
        }
        return false;
      },
      close: () => ch.close(),
    };
  },
};
