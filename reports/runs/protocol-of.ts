import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';

/** Application protocol of an evidence record, for decoding (excerpts) and dissector choice (pcapng). */
export type AppProtocol = 'modbus' | 'mqtt' | 'opcua' | 'console' | 'other';

const WELL_KNOWN_PORTS: Record<number, AppProtocol> = { 502: 'modbus', 1883: 'mqtt', 8883: 'mqtt', 4840: 'opcua' };

export function portOf(address: string): number | undefined {
  const m = /:(\d+)$/.exec(address);
  return m ? Number(m[1]) : undefined;
}

/** attrs.protocol wins (channels set it), then the channel name, then the remote port, then the transport. */
export function protocolOf(r: Pick<EvidenceRecord, 'channel' | 'attrs' | 'endpoints'>): AppProtocol {
  // TLS-wrapped bytes cannot be decoded as the application protocol.
  if (r.attrs?.tls === true) return 'other';
  const declared = r.attrs?.protocol;
  if (declared === 'modbus' || declared === 'mqtt' || declared === 'opcua' || declared === 'console') return declared;
  const ch = r.channel.toLowerCase();
  if (ch.includes('modbus')) return 'modbus';
  if (ch.includes('mqtt')) return 'mqtt';
  if (ch.includes('opcua') || ch.includes('opc-ua')) return 'opcua';
  if (ch.includes('console') || ch.includes('serial')) return 'console';
  const port = r.endpoints ? portOf(r.endpoints.remote) : undefined;
  if (port !== undefined && WELL_KNOWN_PORTS[port]) return WELL_KNOWN_PORTS[port];
  if (r.endpoints?.proto === 'serial') return 'console';
  return 'other';
}

/** Byte-stream key: one TCP connection or serial line of one run. */
export function streamKey(r: Pick<EvidenceRecord, 'runId' | 'channel' | 'conn' | 'endpoints'>): string {
  return [r.runId, r.channel, r.conn ?? '', r.endpoints ? `${r.endpoints.local}>${r.endpoints.remote}` : ''].join('|');
}
