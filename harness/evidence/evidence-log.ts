import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, openSync, readSync, closeSync, fstatSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENESIS, type EvidenceInput, type EvidenceRecord } from './evidence-record.js';
import { Redactor } from './redactor.js';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Read the last non-empty line of a file without loading all of it (evidence files can be large). */
function lastLine(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let pos = size;
    let tail = '';
    while (pos > 0) {
      const n = Math.min(64 * 1024, pos);
      pos -= n;
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, pos);
      tail = buf.toString('utf8') + tail;
      const trimmed = tail.replace(/\n+$/, '');
      const nl = trimmed.lastIndexOf('\n');
      if (nl !== -1) return trimmed.slice(nl + 1);
      if (pos === 0) return trimmed || undefined;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export interface AttachmentRef {
  name: string;
  path: string;
  sha256: string;
  bytes: number;
  mediaType: string;
}

/**
 * Append-only, hash-chained evidence log (evidence.jsonl). Every record is written synchronously
 * as it happens, so a killed run keeps everything up to the last record. Several processes may
 * append one after the other (the runner's scenario workers): the chain continues from the file's last line.
 */
export class EvidenceLog {
  private prev: string;
  private seq: number;
  readonly path: string;
  scenario: string | undefined;
  /**
   * Runs before every record is written: the scenario worker checks here that `hil run` is still
   * alive, so not one more record (nor the device traffic it logs) follows its death, even when
   * a loaded machine delays the worker's timers.
   */
  beforeAppend: (() => void) | undefined;

  constructor(
    readonly runDir: string,
    readonly runId: string,
    readonly redactor: Redactor = new Redactor(),
  ) {
    mkdirSync(runDir, { recursive: true });
    this.path = join(runDir, 'evidence.jsonl');
    const last = lastLine(this.path);
    if (last) {
      const rec = JSON.parse(last) as EvidenceRecord;
      this.prev = sha256Hex(last);
      this.seq = rec.seq + 1;
    } else {
      this.prev = GENESIS;
      this.seq = 0;
    }
  }

  get nextSeq(): number {
    return this.seq;
  }

  /** SHA-256 of the last line written (GENESIS before the first): what the next record's prev will be. */
  get headHash(): string {
    return this.prev;
  }

  append(input: EvidenceInput): EvidenceRecord {
    this.beforeAppend?.();
    const r = this.redactor;
    const data =
      input.data === undefined
        ? undefined
        : r.bytes(typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : input.data).toString('hex');
    const rec: EvidenceRecord = {
      seq: this.seq,
      t: new Date().toISOString(),
      mono: process.hrtime.bigint().toString(),
      runId: this.runId,
      ...(input.scenario ?? this.scenario ? { scenario: input.scenario ?? this.scenario } : {}),
      channel: input.channel,
      ...(input.protocol ? { protocol: input.protocol } : {}),
      ...(input.conn ? { conn: input.conn } : {}),
      dir: input.dir,
      ...(data !== undefined ? { data } : {}),
      ...(input.text !== undefined ? { text: r.text(input.text) } : {}),
      ...(input.endpoints ? { endpoints: input.endpoints } : {}),
      ...(input.attrs ? { attrs: r.value(input.attrs) } : {}),
      prev: this.prev,
    };
    const line = JSON.stringify(rec);
    appendFileSync(this.path, line + '\n');
    this.prev = sha256Hex(line);
    this.seq++;
    return rec;
  }

  /** Free-form harness event (step started, control passed, ...). */
  event(channel: string, text: string, attrs?: Record<string, unknown>): EvidenceRecord {
    return this.append({ channel, dir: 'event', text, attrs });
  }

  /** Store an attachment under attachments/, redacted, and log its SHA-256. */
  attach(name: string, content: string | Uint8Array, mediaType = 'text/plain'): AttachmentRef {
    const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
    const rel = join('attachments', safe);
    const full = join(this.runDir, rel);
    mkdirSync(dirname(full), { recursive: true });
    const body = typeof content === 'string' ? Buffer.from(this.redactor.text(content)) : this.redactor.bytes(content);
    writeFileSync(full, body);
    const ref: AttachmentRef = { name: safe, path: rel, sha256: sha256Hex(body), bytes: body.length, mediaType };
    this.append({ channel: 'harness', dir: 'event', text: `attachment ${rel}`, attrs: { attachment: ref } });
    return ref;
  }
}
