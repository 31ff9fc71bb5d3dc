/**
 * Is a console listening (a terminal server's TCP port)? What it says first, or after a CRLF nudge
 * when it stays silent for half the deadline, must be terminal text.
 */
import type { ServiceIdentityCapability } from '../capabilities/service-identity.js';
import { readBanner } from '../transport/banner.js';
import { ByteTransport } from '../transport/byte-transport.js';
import { parseTcpUrl } from '../transport/channel.js';

/** Share of printable characters (after ANSI escapes) that makes a banner terminal text. */
const PRINTABLE_SHARE = 0.9;
export const consoleIdentify: ServiceIdentityCapability = {
  endpoint: (t) => (t.interfaces.console?.connect.startsWith('tcp://') ? parseTcpUrl(t.interfaces.console.connect) : undefined),
  async probe(t, _iface, ctx, signal) {
    const con = t.interfaces.console!;
    const tr = await ByteTransport.open(con.connect, ctx, { channel: 'probe', protocol: 'console', signal, timeoutMs: con.timeoutMs });
    let b: Buffer;
    try {
      ({ banner: b } = await readBanner(tr, ctx, { timeoutMs: con.timeoutMs, signal }));
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
