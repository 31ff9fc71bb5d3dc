/**
 * Console evidence: text a terminal shows, so excerpts replay it as a transcript (what was typed
 * and what the device answered, in order) instead of decoding units; Wireshark shows the serial
 * bytes with its line-based text dissector.
 */
import type { EvidenceDecoder } from '../capabilities/evidence-decoder.js';

export const consoleDecoder: EvidenceDecoder = {
  view: 'transcript',
  wireshark: { serial: { dissector: 'data-text-lines', column: 'Console' } },
};
