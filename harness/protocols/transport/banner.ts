import type { ByteTransport } from './byte-transport.js';
import { opSignal, type ChannelContext } from './channel.js';

/** A little grace so a banner split in two segments is read whole. */
const SEGMENT_GRACE_MS = 50;

export interface BannerRead {
  banner: Buffer;
  /** A CRLF was sent because the peer stayed silent for half the deadline. */
  nudged: boolean;
}

/**
 * What a freshly connected peer says first (a login prompt, a service greeting): wait half the
 * deadline, nudge a silent peer with CRLF unless told not to, wait the other half. Stops early
 * at `maxBytes`, on close, or on cancel.
 */
export async function readBanner(t: ByteTransport, ctx: ChannelContext, opts: { timeoutMs: number; signal?: AbortSignal; maxBytes?: number; nudge?: boolean }): Promise<BannerRead> {
  const chunks: Buffer[] = [];
  const max = opts.maxBytes ?? 1024;
  const waitData = (ms: number) =>
    new Promise<void>((resolve) => {
      const signal = opSignal(ctx, { signal: opts.signal, timeoutMs: ms }, ms);
      const finish = () => {
        off();
        offClose();
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const off = t.onData((b) => {
        chunks.push(b);
        if (chunks.reduce((n, x) => n + x.length, 0) >= max) finish();
        else setTimeout(finish, SEGMENT_GRACE_MS);
      });
      const offClose = t.onClose(() => finish());
      if (signal.aborted) return finish();
      signal.addEventListener('abort', finish, { once: true });
    });
  let nudged = false;
  await waitData(Math.floor(opts.timeoutMs / 2));
  if (!chunks.length && !t.closed && opts.nudge !== false && !opts.signal?.aborted) {
    nudged = true;
    await t.write('\r\n', { signal: opts.signal, timeoutMs: opts.timeoutMs, text: 'banner nudge \\r\\n' }).catch(() => undefined);
    await waitData(Math.ceil(opts.timeoutMs / 2));
  }
  return { banner: Buffer.concat(chunks).subarray(0, max), nudged };
}
