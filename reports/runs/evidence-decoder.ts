import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import type { DecodeStream } from '../../harness/protocols/capabilities/evidence-decoder.js';
import { decoderOf, recordProtocol } from './record-protocol.js';
import { streamKey } from './stream-key.js';

export interface DecodedRecord {
  /** The record's protocol (registry name); undefined when it declares none. */
  protocol: string | undefined;
  /** One line per protocol unit that completed in this record (a TCP read can carry several, or half of one). */
  lines: string[];
  /** Protocol-specific types of the units completed in this record (MQTT packet types), for tests and summaries. */
  types?: number[];
}

/**
 * Decodes the byte records of a whole run with each protocol's registered decoder, reassembling
 * each stream per direction, so a unit split across reads is decoded once, at the record that
 * completes it. Records whose protocol has no decoder, and TLS-wrapped bytes, get no lines.
 */
export function decodeEvidence(records: EvidenceRecord[]): Map<number, DecodedRecord> {
  const out = new Map<number, DecodedRecord>();
  const pending = new Map<string, Buffer>();
  const states = new Map<string, Map<string, unknown>>();
  for (const r of records) {
    if ((r.dir !== 'tx' && r.dir !== 'rx') || !r.data) continue;
    const found = decoderOf(r);
    if (!found) {
      out.set(r.seq, { protocol: recordProtocol(r), lines: [] });
      continue;
    }
    const { protocol, decoder } = found;
    const conn = streamKey(r);
    const key = `${conn}|${r.dir}`;
    let state = states.get(conn);
    if (!state) states.set(conn, (state = new Map()));
    const stream: DecodeStream = { request: r.dir === 'tx', transport: r.endpoints?.proto ?? 'tcp', state };
    const bytes = Buffer.from(r.data, 'hex');
    if (!decoder.split) {
      const line = decoder.decode?.(bytes, stream);
      out.set(r.seq, { protocol, lines: line ? [line.text] : [], ...(line?.type !== undefined ? { types: [line.type] } : {}) });
      continue;
    }
    const stale = pending.get(key) ?? Buffer.alloc(0);
    // Resync at record boundaries: if this record alone is whole units, a leftover is a unit
    // that never completed (redaction shortens secrets inside frames); show it as such.
    const alone = stale.length > 0 ? decoder.split(bytes, stream) : undefined;
    const resync = alone !== undefined && alone.rest.length === 0 && alone.units.length > 0;
    const lost = resync ? [`(incomplete ${protocol} frame of ${stale.length} bytes before this record: cut off or redacted)`] : [];
    const { units, rest } = resync ? alone : decoder.split(Buffer.concat([stale, bytes]), stream);
    pending.set(key, rest);
    const decoded = decoder.decode ? units.map((u) => decoder.decode!(u, stream)).filter((d) => d !== undefined) : [];
    const types = decoded.flatMap((d) => (d.type !== undefined ? [d.type] : []));
    out.set(r.seq, { protocol, lines: [...lost, ...decoded.map((d) => d.text)], ...(types.length ? { types } : {}) });
  }
  return out;
}
