import { z } from 'zod';

/** One line of evidence.jsonl. `prev` is the SHA-256 (hex) of the previous line's exact text, GENESIS for the first. */
export const GENESIS = '0'.repeat(64);

export const EvidenceDirection = z.enum(['tx', 'rx', 'open', 'close', 'error', 'event', 'sample', 'fault', 'verdict']);
export type EvidenceDirection = z.infer<typeof EvidenceDirection>;

/** Transport endpoints of a byte stream, so reports can rebuild IP/TCP framing for pcapng. */
export const EndpointPair = z.object({
  proto: z.enum(['tcp', 'udp', 'serial']),
  local: z.string(), // "127.0.0.1:40123" or "/dev/ttyUSB0"
  remote: z.string(), // "127.0.0.1:502"
});
export type EndpointPair = z.infer<typeof EndpointPair>;

export const EvidenceRecordSchema = z.object({
  seq: z.number().int().nonnegative(),
  /** UTC wall clock, ISO 8601 with ms. */
  t: z.string(),
  /** CLOCK_MONOTONIC in ns (decimal string): comparable across processes on the same boot. */
  mono: z.string(),
  runId: z.string(),
  scenario: z.string().optional(),
  /** Logical channel: console, modbus-tcp, modbus-rtu, mqtt, opcua, probe, monitor, fault, harness, ... */
  channel: z.string(),
  /**
   * Registry name of the protocol whose bytes or messages this record holds (modbus, mqtt, opcua,
   * console, network, ...), set by the channel that wrote it: the reports pick the decoder and the
   * Wireshark dissector by it. Evidence written before this field had it as attrs.protocol, if at all.
   */
  protocol: z.string().optional(),
  /** Connection id within the channel, so several sockets of one channel stay apart. */
  conn: z.string().optional(),
  dir: EvidenceDirection,
  /** Raw bytes in hex (secrets replaced by the redaction marker). */
  data: z.string().optional(),
  /** Human-readable decoded summary. */
  text: z.string().optional(),
  endpoints: EndpointPair.optional(),
  attrs: z.record(z.string(), z.unknown()).optional(),
  prev: z.string().length(64),
});
export type EvidenceRecord = z.infer<typeof EvidenceRecordSchema>;
export type EvidenceInput = Omit<EvidenceRecord, 'seq' | 't' | 'mono' | 'runId' | 'prev' | 'data'> & { data?: Uint8Array | string };
