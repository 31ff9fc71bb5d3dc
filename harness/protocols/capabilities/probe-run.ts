/**
 * What a protocol probe may do besides talking to the device: log, have what it opens closed, and
 * register restore steps that run whatever happens. The scenario context provides all of these; a
 * probe never records a check or a verdict itself (it returns a Judgement).
 */
import type { ChannelContext } from '../transport/channel.js';

export interface ProbeRun {
  readonly channelCtx: ChannelContext & { signal: AbortSignal };
  readonly signal: AbortSignal;
  log(text: string): void;
  track<T extends { close(): Promise<void> | void }>(c: T): T;
  /** Teardown step; `timeoutMs` bounds it (derive it from the profile's timings). */
  defer(name: string, fn: () => Promise<void> | void, opts?: { timeoutMs?: number }): void;
}
