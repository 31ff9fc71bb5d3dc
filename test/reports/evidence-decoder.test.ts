import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { allProtocols } from '../../harness/protocols/registry.js';
import { buildCapture } from '../../reports/pcap/traffic-capture.js';
import { decodeEvidence } from '../../reports/runs/evidence-decoder.js';
import { mbap, mqttConnack, mqttSubscribe } from './run-fixture.js';

const MODBUS = { proto: 'tcp' as const, local: '127.0.0.1:40000', remote: '127.0.0.1:15502' };
const MQTT = { proto: 'tcp' as const, local: '127.0.0.1:40001', remote: '127.0.0.1:11883' };
const RTU = { proto: 'serial' as const, local: 'harness', remote: '/dev/ttyUSB1' };

let seq = 0;
function rec(r: Partial<EvidenceRecord> & Pick<EvidenceRecord, 'channel' | 'dir'>): EvidenceRecord {
  return { seq: seq++, t: new Date(1_700_000_000_000 + seq).toISOString(), mono: String(seq * 1000), runId: 'run-dec', prev: '0'.repeat(64), ...r };
}
const hex = (b: Buffer) => b.toString('hex');

describe('evidence decoding through the protocol registry', () => {
  it('offers a decoder for each protocol that writes byte evidence', () => {
    const withDecoder = allProtocols().filter((p) => p.decoder).map((p) => p.name);
    expect(withDecoder).toEqual(expect.arrayContaining(['console', 'modbus', 'mqtt', 'opcua']));
  });

  it('decodes by the typed protocol field, reassembling a frame split across records', () => {
    const frame = mbap(7, [6, 0, 10, 0x13, 0x88]);
    const a = rec({ channel: 'field-bus', protocol: 'modbus', dir: 'tx', data: hex(frame.subarray(0, 5)), endpoints: MODBUS });
    const b = rec({ channel: 'field-bus', protocol: 'modbus', dir: 'tx', data: hex(frame.subarray(5)), endpoints: MODBUS });
    const c = rec({ channel: 'field-bus', protocol: 'modbus', dir: 'rx', data: hex(mbap(7, [0x86, 3])), endpoints: MODBUS });
    const d = decodeEvidence([a, b, c]);
    expect(d.get(a.seq)!.lines).toEqual([]);
    expect(d.get(b.seq)!.lines).toEqual(['tid=7 unit=1 FC6 Write Single Register addr=10 value=5000']);
    // The exception name comes from the codec's one exception table.
    expect(d.get(c.seq)!.lines).toEqual(['tid=7 unit=1 FC6 Write Single Register exception 3 ILLEGAL DATA VALUE']);
  });

  it('decodes RTU frames on a serial line one record each', () => {
    const r = rec({ channel: 'modbus-rtu', protocol: 'modbus', dir: 'rx', data: '0106000a01f4ffff', endpoints: RTU });
    expect(decodeEvidence([r]).get(r.seq)!.lines).toEqual(['unit=1 FC6 Write Single Register response addr=10 value=500']);
  });

  it('still decodes evidence written before the typed field (attrs.protocol)', () => {
    const r = rec({ channel: 'mqtt', dir: 'tx', data: hex(mqttSubscribe(1, 'plant/#')), endpoints: MQTT, attrs: { protocol: 'mqtt' } });
    const d = decodeEvidence([r]).get(r.seq)!;
    expect(d.protocol).toBe('mqtt');
    expect(d.lines).toEqual(['SUBSCRIBE id=1 plant/# (qos 0)']);
    expect(d.types).toEqual([8]);
  });

  it('guesses nothing from channel names or ports, and leaves TLS-wrapped bytes undecoded', () => {
    const named = rec({ channel: 'modbus-tcp', dir: 'tx', data: hex(mbap(1, [3, 0, 0, 0, 1])), endpoints: { ...MODBUS, remote: '127.0.0.1:502' } });
    const tls = rec({ channel: 'mqtt', protocol: 'mqtt', dir: 'rx', data: hex(mqttConnack(0)), endpoints: MQTT, attrs: { tls: true } });
    const d = decodeEvidence([named, tls]);
    expect(d.get(named.seq)).toEqual({ protocol: undefined, lines: [] });
    expect(d.get(tls.seq)!.lines).toEqual([]);
    const capture = buildCapture([named, tls], { runId: 'run-dec', target: 't', harnessVersion: '0' });
    expect(capture.decodeAs).toEqual([]);
  });

  it('asks for decode-as with the dissector the protocol names, for its non-standard ports only', () => {
    const records = [
      rec({ channel: 'a', protocol: 'modbus', dir: 'tx', data: hex(mbap(1, [3, 0, 0, 0, 1])), endpoints: MODBUS }),
      rec({ channel: 'b', protocol: 'mqtt', dir: 'rx', data: hex(mqttConnack(0)), endpoints: MQTT }),
      rec({ channel: 'c', protocol: 'mqtt', dir: 'rx', data: hex(mqttConnack(0)), endpoints: { ...MQTT, remote: '127.0.0.1:1883' } }),
    ];
    const capture = buildCapture(records, { runId: 'run-dec', target: 't', harnessVersion: '0' });
    expect(capture.decodeAs).toEqual([
      { port: 15502, protocol: 'mbtcp' },
      { port: 11883, protocol: 'mqtt' },
    ]);
  });
});
