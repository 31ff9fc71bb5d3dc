import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { decodeMbap, decodeRtu, splitMbap } from '../../harness/protocols/modbus/modbus-decoder.js';
import { decodeMqtt, splitMqtt } from '../../harness/protocols/mqtt/mqtt-decoder.js';
import { decodeOpcuaChunk } from '../../harness/protocols/opcua/opcua-decoder.js';
import { protocolOf, streamKey, type AppProtocol } from './protocol-of.js';

export interface DecodedRecord {
  protocol: AppProtocol;
  /** One line per protocol unit that completed in this record (a TCP read can carry several, or half of one). */
  lines: string[];
  /** MQTT packet type numbers completed in this record (for tests and summaries). */
  mqttTypes?: number[];
}

/**
 * Decodes the byte records of a whole run, reassembling each TCP stream per direction, so a
 * frame split across reads is decoded once, at the record that completes it.
 */
export function decodeEvidence(records: EvidenceRecord[]): Map<number, DecodedRecord> {
  const out = new Map<number, DecodedRecord>();
  const pending = new Map<string, Buffer>();
  const mqttLevel = new Map<string, number>();
  for (const r of records) {
    if ((r.dir !== 'tx' && r.dir !== 'rx') || !r.data) continue;
    const protocol = protocolOf(r);
    const bytes = Buffer.from(r.data, 'hex');
    const key = `${streamKey(r)}|${r.dir}`;
    const conn = streamKey(r);
    const isRequest = r.dir === 'tx';
    const stale = pending.get(key) ?? Buffer.alloc(0);
    // Resync at record boundaries: if this record alone is whole frames, a leftover is a frame
    // that never completed (redaction shortens secrets inside frames); show it as such.
    const alone = protocol === 'mqtt' ? splitMqtt(bytes) : protocol === 'modbus' ? splitMbap(bytes) : undefined;
    const resync = stale.length > 0 && alone !== undefined && alone.rest.length === 0 && ('packets' in alone ? alone.packets.length : alone.frames.length) > 0;
    const lost = resync ? [`(incomplete ${protocol} frame of ${stale.length} bytes before this record: cut off or redacted)`] : [];
    const buf = resync ? bytes : Buffer.concat([stale, bytes]);
    if (protocol === 'modbus') {
      if (r.endpoints?.proto === 'serial') {
        out.set(r.seq, { protocol, lines: [decodeRtu(bytes, isRequest)] });
        continue;
      }
      const { frames, rest } = splitMbap(buf);
      pending.set(key, rest);
      out.set(r.seq, { protocol, lines: [...lost, ...frames.map((f) => decodeMbap(f, isRequest))] });
    } else if (protocol === 'mqtt') {
      const { packets, rest } = splitMqtt(buf);
      pending.set(key, rest);
      const decoded = packets.map((p) => decodeMqtt(p, mqttLevel.get(conn) ?? 4));
      for (const d of decoded) if (d.level) mqttLevel.set(conn, d.level);
      out.set(r.seq, { protocol, lines: [...lost, ...decoded.map((d) => d.text)], mqttTypes: decoded.map((d) => d.type) });
    } else if (protocol === 'opcua') {
      const line = decodeOpcuaChunk(bytes);
      out.set(r.seq, { protocol, lines: line ? [line] : [] });
    } else {
      out.set(r.seq, { protocol, lines: [] });
    }
  }
  return out;
}
