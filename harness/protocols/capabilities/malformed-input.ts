/**
 * Robustness probes on one interface (CR 3.5, L2.021 anomaly handling): the protocol knows which
 * malformed frames, packets or bytes to send and what a valid request looks like; the fault layer
 * sends each case, requires the valid request to be answered again, and judges.
 */
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { InterfaceName, TargetProfile } from '../../profile/target-schema.js';
import type { ChannelContext } from '../transport/channel.js';

export interface MalformedCase {
  name: string;
  bytes: Buffer;
}

/** How the device took one case, plus observations that are recorded but decide nothing. */
export interface MalformedReaction {
  text: string;
  /** E.g. an RTU answer to a frame with a wrong CRC: worth a measurement, not a verdict. */
  observations?: { name: string; value: boolean | number | string; note: string }[];
}

/** What a raw TCP/TLS exchange reports (the fault layer supplies the exchange itself). */
export interface RawExchangeOutcome {
  connected: boolean;
  rx: Buffer;
  closedByPeer: boolean;
  error?: string;
}

/** Connect, write the bytes as given, collect the reply for `waitMs`; every byte goes to the evidence. */
export type RawExchanger = (o: { url: string; tls?: { rejectUnauthorized?: boolean; caFile?: string }; bytes: Buffer; waitMs: number; channel: string; text: string }) => Promise<RawExchangeOutcome>;

export interface MalformedOpenOptions {
  /** The account a valid request is made with where the interface has accounts (else it is made anonymously). */
  account?: ResolvedAccount;
  /** How long to listen for the device's reaction to one case. */
  reactionWaitMs: number;
  /** Ends every wait with the scenario. */
  signal: AbortSignal;
  raw: RawExchanger;
}

/** One interface's cases, how each is sent, and the valid request that must still be answered after each. */
export interface MalformedSession {
  readonly cases: MalformedCase[];
  send(c: MalformedCase): Promise<MalformedReaction>;
  /** Does the interface still answer a valid request? */
  alive(): Promise<boolean>;
  close(): Promise<void>;
}

export interface MalformedInputCapability {
  open(target: TargetProfile, iface: InterfaceName, opts: MalformedOpenOptions, ctx: ChannelContext): Promise<MalformedSession>;
}

/** Deterministic noise (the same bytes every run, so evidence can be compared across firmware). */
export function noise(len: number, seed = 7): Buffer {
  const b = Buffer.alloc(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}
