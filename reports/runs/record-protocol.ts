import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import type { EvidenceDecoder } from '../../harness/protocols/capabilities/evidence-decoder.js';
import { protocolNamed } from '../../harness/protocols/registry.js';

/**
 * The protocol an evidence record declares: the typed field the channels set, else attrs.protocol
 * (evidence written before the field existed). Nothing is guessed from channel names or ports.
 */
export function recordProtocol(r: Pick<EvidenceRecord, 'protocol' | 'attrs'>): string | undefined {
  if (r.protocol) return r.protocol;
  const legacy = r.attrs?.protocol;
  return typeof legacy === 'string' && legacy ? legacy : undefined;
}

export interface RecordDecoder {
  protocol: string;
  decoder: EvidenceDecoder;
}

/** The registered decoder of a record's protocol; none for TLS-wrapped bytes (ciphertext) or a protocol without one. */
export function decoderOf(r: Pick<EvidenceRecord, 'protocol' | 'attrs'>): RecordDecoder | undefined {
  if (r.attrs?.tls === true) return undefined;
  const protocol = recordProtocol(r);
  const decoder = protocol === undefined ? undefined : protocolNamed(protocol)?.decoder;
  return protocol !== undefined && decoder ? { protocol, decoder } : undefined;
}
