import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';

/** Byte-stream key: one TCP connection or serial line of one run (both directions). */
export function streamKey(r: Pick<EvidenceRecord, 'runId' | 'channel' | 'conn' | 'endpoints'>): string {
  return [r.runId, r.channel, r.conn ?? '', r.endpoints ? `${r.endpoints.local}>${r.endpoints.remote}` : ''].join('|');
}
