/**
 * One TCP port tried as an unauthenticated shell: read what it says on connect (nudged with a
 * newline when silent), then send harmless commands (`help`, `id`) and read each reply. A reply
 * that is printable, not an error and not a login request means the service ran a command
 * without login. Read-only: no command changes anything.
 */
import { isIPv6 } from 'node:net';
import { readBanner } from '../transport/banner.js';
import { ByteTransport } from '../transport/byte-transport.js';
import { ChannelError, type ChannelContext } from '../transport/channel.js';

/** Harmless on any shell or command interpreter; tried in order until one runs. */
export const HARMLESS_COMMANDS = ['help', 'id'] as const;

const AUTH_REQUEST = /(login|user ?name|password|passcode|passwd)\s*[:>]?\s*$/im;
const ERROR_REPLY = /(not found|unknown|invalid|unrecogni[sz]ed|error|denied|not permitted|not allowed|bad command|illegal)/i;
/** What a shell prompt looks like at the end of output: `# `, `$ `, `> `. */
const PROMPT = /[#$>%]\s*$/;

export type CommandServiceState = 'closed' | 'command-ran' | 'login-required' | 'no-command';

export interface CommandServiceResult {
  port: number;
  state: CommandServiceState;
  /** What the service said on connect. */
  banner: string;
  /** The command that ran, and its output (the echo and trailing prompt removed). */
  command?: string;
  output?: string;
  /** Whether the service showed a prompt without asking for a login. */
  prompt: boolean;
}

function isText(b: Buffer): boolean {
  if (!b.length) return false;
  let ok = 0;
  for (const c of b) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127)) ok++;
  return ok / b.length >= 0.9;
}

/** Bytes as text, control characters but line ends shown as '.'. */
const asText = (b: Buffer): string => b.toString('latin1').replace(/[^\t\n\r\x20-\x7e]/g, '.');

/** The reply without the echoed command and the prompt it ends with. */
function commandOutput(reply: string, command: string): string {
  const lines = reply.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines[0]?.endsWith(command)) lines.shift();
  if (lines.length && PROMPT.test(lines[lines.length - 1]!) && lines[lines.length - 1]!.length < 40) lines.pop();
  return lines.join('\n').trim();
}

export async function probeCommandService(host: string, port: number, timeoutMs: number, ctx: ChannelContext & { signal: AbortSignal }): Promise<CommandServiceResult> {
  let t: ByteTransport;
  try {
    t = await ByteTransport.open(`tcp://${isIPv6(host) ? `[${host}]` : host}:${port}`, ctx, { channel: 'probe', protocol: 'network', signal: ctx.signal, timeoutMs });
  } catch (e) {
    if ((e as ChannelError).kind === 'aborted') throw e;
    return { port, state: 'closed', banner: '', prompt: false };
  }
  try {
    const first = await readBanner(t, ctx, { timeoutMs, signal: ctx.signal, maxBytes: 2048 });
    const banner = asText(first.banner);
    if (AUTH_REQUEST.test(banner)) return { port, state: 'login-required', banner, prompt: false };
    const prompt = isText(first.banner) && PROMPT.test(banner.trimEnd());
    for (const command of HARMLESS_COMMANDS) {
      if (t.closed) break;
      await t.write(`${command}\r\n`, { signal: ctx.signal, timeoutMs, text: `unauthenticated command probe: ${command}` }).catch(() => undefined);
      const r = await readBanner(t, ctx, { timeoutMs: 2 * timeoutMs, signal: ctx.signal, maxBytes: 4096, nudge: false });
      if (ctx.signal.aborted) throw new ChannelError('aborted', `command probe ${host}:${port} cancelled`);
      const reply = asText(r.banner);
      if (AUTH_REQUEST.test(reply)) return { port, state: 'login-required', banner, prompt };
      const output = commandOutput(reply, command);
      if (isText(r.banner) && output && !ERROR_REPLY.test(output)) return { port, state: 'command-ran', banner, command, output, prompt };
    }
    return { port, state: 'no-command', banner, prompt };
  } finally {
    await t.close();
  }
}
