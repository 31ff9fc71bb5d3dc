/**
 * Decoding a protocol's evidence bytes for the reports: one readable line per protocol unit (the
 * report's evidence excerpts) and the Wireshark dissector that shows them (the pcapng writer). One
 * per protocol, next to its codec, offered as `ProtocolModule.decoder`; the reports find it through
 * the registry by the record's `protocol` field and never name a protocol themselves.
 */

/** One direction of one connection (TCP socket or serial line), as the reports replay it. */
export interface DecodeStream {
  /** tx: harness → device (a request, for request/response protocols). */
  request: boolean;
  transport: 'tcp' | 'udp' | 'serial';
  /** Per-connection state shared by both directions (e.g. the MQTT protocol level from CONNECT). */
  state: Map<string, unknown>;
}

export interface DecodedUnit {
  text: string;
  /** Protocol-specific unit type (the MQTT packet type), for summaries and tests. */
  type?: number;
}

/** Wireshark's view of the protocol, for the synthesized capture. */
export interface WiresharkDissectors {
  /** Dissector of TCP payloads and the port it is registered on; other ports need tshark's decode-as. */
  tcp?: { dissector: string; port: number };
  /** Dissector for serial bytes (written as exported PDUs) and the protocol column shown for them. */
  serial?: { dissector: string; column: string };
}

export interface EvidenceDecoder {
  /**
   * How excerpts show the bytes: 'units' (default) one decoded line per unit; 'transcript' the
   * text stream as a terminal showed it, tx and rx interleaved (a console).
   */
  readonly view?: 'units' | 'transcript';
  readonly wireshark?: WiresharkDissectors;
  /**
   * Splits the bytes of one stream direction into whole units and an incomplete tail that waits for
   * the next record (a frame split across reads). Absent: each record is one unit.
   */
  split?(buf: Buffer, stream: DecodeStream): { units: Buffer[]; rest: Buffer };
  /** One unit as a line; undefined when the bytes are not a unit of this protocol. Absent: no lines. */
  decode?(unit: Buffer, stream: DecodeStream): DecodedUnit | undefined;
}
