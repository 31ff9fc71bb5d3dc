import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EvidenceLog, sha256Hex } from '../../harness/evidence/evidence-log.js';
import { EvidenceRecordSchema, GENESIS } from '../../harness/evidence/evidence-record.js';
import { Redactor } from '../../harness/evidence/redactor.js';

describe('evidence log', () => {
  test('records are hash-chained and the chain continues across writers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-ev-'));
    const a = new EvidenceLog(dir, 'run-1');
    a.event('harness', 'first');
    a.append({ channel: 'modbus-tcp', dir: 'tx', data: Buffer.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1]) });
    const b = new EvidenceLog(dir, 'run-1'); // a second process appending later
    b.event('harness', 'third');
    const lines = readFileSync(join(dir, 'evidence.jsonl'), 'utf8').trim().split('\n');
    const recs = lines.map((l) => JSON.parse(l));
    expect(recs.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(recs[0].prev).toBe(GENESIS);
    expect(recs[1].prev).toBe(sha256Hex(lines[0]!));
    expect(recs[2].prev).toBe(sha256Hex(lines[1]!));
    expect(BigInt(recs[2].mono)).toBeGreaterThanOrEqual(BigInt(recs[1].mono));
  });

  test('a byte record carries its protocol as a typed field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-ev-'));
    const log = new EvidenceLog(dir, 'run-3');
    log.append({ channel: 'modbus-tcp', protocol: 'modbus', dir: 'tx', data: Buffer.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1]) });
    log.event('harness', 'no protocol');
    const [bytes, event] = readFileSync(join(dir, 'evidence.jsonl'), 'utf8').trim().split('\n').map((l) => EvidenceRecordSchema.parse(JSON.parse(l)));
    expect(bytes!.protocol).toBe('modbus');
    expect(event!.protocol).toBeUndefined();
  });

  test('secrets are redacted from text, bytes, attributes and attachments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-ev-'));
    const log = new EvidenceLog(dir, 'run-2', new Redactor(['S3cret-Pa55!']));
    log.append({ channel: 'console', dir: 'tx', data: 'S3cret-Pa55!\r', text: 'password S3cret-Pa55!', attrs: { nested: ['S3cret-Pa55!'] } });
    log.attach('transcript.txt', 'login admin / S3cret-Pa55!');
    const all = readFileSync(join(dir, 'evidence.jsonl'), 'utf8') + readFileSync(join(dir, 'attachments/transcript.txt'), 'utf8');
    expect(all).not.toContain('S3cret-Pa55!');
    expect(all).not.toContain(Buffer.from('S3cret-Pa55!').toString('hex'));
    expect(all).toContain('[REDACTED]');
    // wire bytes keep their length so protocol framing stays decodable
    expect(all).toContain(Buffer.from('************\r').toString('hex'));
  });
});

describe('public default credentials', () => {
  test('are not masked even when a channel registers them as a password', () => {
    const r = new Redactor(['S3cret-Pa55!']);
    r.allowPublic(['admin', 'password']);
    r.add('admin');
    expect(r.text('Bad username or password for admin; real one S3cret-Pa55!')).toBe('Bad username or password for admin; real one [REDACTED]');
  });
});
