/**
 * Is a console listening (a terminal server's TCP port)? What it says first, or after a CRLF nudge
 * when it stays silent for half the deadline, must be terminal text.
 */
import type { ServiceIdentityCapability } from '../capabilities/service-identity.js';
import { ByteTransport } from '../transport/byte-transport.js';
import { parseTcpUrl } from '../transport/channel.js';

/** Share of printable characters (after ANSI escapes) that makes a banner terminal text. */
const PRINTABLE_SHARE = 0.9;
/** A little grace so a banner split in two segments is read whole. */
const SEGMENT_GRACE_MS = 50;

async function banner(t: ByteTransport, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined = setTimeout(() => finish(), ms);
      const finish = () => {
        clearTimeout(timer);
        timer = undefined;
        off();
        offClose();
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const off = t.onData((b) => {
        chunks.push(b);
        setTimeout(finish, SEGMENT_GRACE_MS);
      });
      const offClose = t.onClose(finish);
      signal.addEventListener('abort', finish, { once: true });
    });
  await wait(Math.floor(timeoutMs / 2));
  if (!chunks.length && !t.closed && !signal.aborted) {
    await t.write('\r\n', { signal, timeoutMs, text: 'banner nudge \\r\\n' }).catch(() => undefined);
    await wait(Math.ceil(timeoutMs / 2));
  }
  return Buffer.concat(chunks);
}

export const consoleIdentify: ServiceIdentityCapability = {
  endpoint: (t) => (t.interfaces.console?.connect.startsWith('tcp://') ? parseTcpUrl(t.interfaces.console.connect) : undefined),
  async probe(t, _iface, ctx, signal) {
    const con = t.interfaces.console!;
    const tr = await ByteTransport.open(con.connect, ctx, { channel: 'probe', protocol: 'console', signal, timeoutMs: con.timeoutMs });
    let b: Buffer;
    try {
      b = await banner(tr, con.timeoutMs, signal);
    } finally {
      await tr.close();
    }
    if (signal.aborted) throw new Error('console identification cancelled');
    const text = b.toString('latin1');
    const printable = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('').filter((c) => (c >= ' ' && c <= '~') || c === '\r' || c === '\n' || c === '\t').length;
    const ok = b.length > 0 && printable / b.length >= PRINTABLE_SHARE;
    return { identified: ok, detail: ok ? `console text: "${text.replace(/\s+/g, ' ').trim().slice(0, 40)}"` : b.length ? `not terminal text (${b.length} bytes, ${printable} printable)` : 'no console output' };
  },
};
