import type { ScenarioResult } from '../../harness/core/result-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import type { DecodedRecord } from '../runs/evidence-decoder.js';
import { decoderOf, recordProtocol } from '../runs/record-protocol.js';

/** What a reader needs to judge one scenario: the wire traffic and events behind its verdict, size-limited. */
export interface ExcerptEntry {
  seq: number;
  t: string;
  dir: EvidenceRecord['dir'];
  hex?: string;
  text: string;
}

export interface ExcerptSection {
  channel: string;
  /** The protocol the channel's records declare ('other' when none does). */
  protocol: string;
  /** Text protocols (a console): the transcript rebuilt from the bytes, tx and rx interleaved as they happened. */
  transcript?: { dir: 'tx' | 'rx'; text: string }[];
  entries: ExcerptEntry[];
  /** Records left out to keep the report readable. */
  omitted: number;
}

export interface ExcerptLimits {
  entriesPerSection: number;
  transcriptChars: number;
  hexBytes: number;
}

export const DEFAULT_LIMITS: ExcerptLimits = { entriesPerSection: 60, transcriptChars: 6000, hexBytes: 48 };

/** The records that belong to a scenario: tagged with its id, or inside its evidence range. */
export function recordsOf(result: ScenarioResult, records: EvidenceRecord[]): EvidenceRecord[] {
  const range = result.evidence;
  return records.filter((r) => r.scenario === result.scenarioId || (range !== undefined && r.seq >= range.firstSeq && r.seq <= range.lastSeq && r.scenario === undefined));
}

/** Printable text for transcripts: control bytes other than CR/LF/TAB become visible escapes. */
export function printable(bytes: Buffer): string {
  return bytes
    .toString('utf8')
    .replace(/\r\n/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, (c) => (c === '\r' ? '\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

function entryText(r: EvidenceRecord, decoded: DecodedRecord | undefined): string {
  const parts: string[] = [];
  if (decoded && decoded.lines.length) parts.push(decoded.lines.join('\n'));
  else if (r.text) parts.push(r.text);
  else if (r.dir === 'open' || r.dir === 'close') parts.push(r.endpoints ? `${r.dir} ${r.endpoints.local} → ${r.endpoints.remote}` : r.dir);
  else if (r.data) parts.push(`${r.data.length / 2} bytes`);
  return parts.join(' ');
}

export function buildExcerpt(records: EvidenceRecord[], decoded: Map<number, DecodedRecord>, limits: ExcerptLimits = DEFAULT_LIMITS): ExcerptSection[] {
  const sections = new Map<string, ExcerptSection>();
  let transcriptChars = 0;
  for (const r of records) {
    let s = sections.get(r.channel);
    const protocol = recordProtocol(r);
    if (!s) sections.set(r.channel, (s = { channel: r.channel, protocol: protocol ?? 'other', entries: [], omitted: 0 }));
    else if (s.protocol === 'other' && protocol) s.protocol = protocol;
    if ((r.dir === 'tx' || r.dir === 'rx') && r.data && decoderOf(r)?.decoder.view === 'transcript') {
      s.transcript ??= [];
      const text = printable(Buffer.from(r.data, 'hex'));
      const room = limits.transcriptChars - transcriptChars;
      if (room <= 0) {
        s.omitted++;
        continue;
      }
      const piece = text.length > room ? `${text.slice(0, room)}…` : text;
      transcriptChars += piece.length;
      const last = s.transcript[s.transcript.length - 1];
      if (last && last.dir === r.dir) last.text += piece;
      else s.transcript.push({ dir: r.dir, text: piece });
      continue;
    }
    if (s.entries.length >= limits.entriesPerSection) {
      s.omitted++;
      continue;
    }
    const hex = r.data ? r.data.slice(0, limits.hexBytes * 2) + (r.data.length > limits.hexBytes * 2 ? '…' : '') : undefined;
    s.entries.push({ seq: r.seq, t: r.t, dir: r.dir, ...(hex ? { hex } : {}), text: entryText(r, decoded.get(r.seq)) });
  }
  return [...sections.values()];
}
