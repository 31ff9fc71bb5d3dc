/**
 * Decoding a protocol's evidence bytes into one readable line per protocol unit, for the reports
 * (decoded excerpts) and the pcapng writer (which Wireshark dissector to name). One per protocol,
 * next to its codec.
 */
export interface DecodeStream {
  /** tx: harness → device (a request, for request/response protocols). */
  request: boolean;
  transport: 'tcp' | 'udp' | 'serial';
  /** Per-connection state that survives between units (e.g. the MQTT protocol level from CONNECT). */
  state: Map<string, unknown>;
}

export interface DecodedUnit {
  text: string;
  /** Protocol-specific unit type (MQTT packet type), for summaries and tests. */
  type?: number;
}

export interface EvidenceDecoder {
  /** Wireshark dissectors: for TCP payloads (decode-as) and for serial bytes (exported PDUs). */
  readonly wireshark?: { tcp?: string; serial?: string };
  /** Splits the bytes of one stream direction into whole units and an incomplete tail; absent: each record is one unit. */
  split?(buf: Buffer, stream: DecodeStream): { units: Buffer[]; rest: Buffer };
  decode(unit: Buffer, stream: DecodeStream): DecodedUnit | undefined;
}
