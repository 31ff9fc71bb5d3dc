import type { TargetProfile } from './target-schema.js';

type SafeState = NonNullable<TargetProfile['policy']['safeState']>;

/**
 * The time from the master's last request within which the outputs must be safe. A device that
 * counts its reaction from watchdog expiry (`reactionFrom: watchdog-expiry`) promises watchdog
 * timeout + reaction; one that counts from the last request promises the reaction alone.
 */
export function safeStateDeadlineMs(ss: Pick<SafeState, 'watchdogMs' | 'reactionMs' | 'reactionFrom'>): number {
  return ss.reactionFrom === 'watchdog-expiry' ? ss.watchdogMs + ss.reactionMs : ss.reactionMs;
}
