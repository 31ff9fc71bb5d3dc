/** Human-readable decoding of MQTT 3.1.1/5 control packets for report excerpts. */
import type { DecodeStream, EvidenceDecoder } from '../capabilities/evidence-decoder.js';

export const MQTT_TYPES = ['Reserved', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'] as const;

const CONNACK_V3: Record<number, string> = {
  0: 'accepted', 1: 'unacceptable protocol version', 2: 'identifier rejected', 3: 'server unavailable',
  4: 'bad user name or password', 5: 'not authorized',
};
const REASON_V5: Record<number, string> = {
  0: 'success', 0x80: 'unspecified error', 0x81: 'malformed packet', 0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid', 0x86: 'bad user name or password', 0x87: 'not authorized',
  0x88: 'server unavailable', 0x8a: 'banned', 0x8f: 'topic filter invalid', 0x90: 'topic name invalid', 0x97: 'quota exceeded',
};

function readVarInt(buf: Buffer, at: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (at + i >= buf.length) return undefined;
    const b = buf[at + i]!;
    value += (b & 0x7f) * 128 ** i;
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  return undefined;
}

/** Split an MQTT byte stream into control packets; an incomplete tail stays in `rest`. */
export function splitMqtt(buf: Buffer): { packets: Buffer[]; rest: Buffer } {
  const packets: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = readVarInt(buf, at + 1);
    if (!len || buf.length < at + 1 + len.size + len.value) break;
    packets.push(buf.subarray(at, at + 1 + len.size + len.value));
    at += 1 + len.size + len.value;
  }
  return { packets, rest: buf.subarray(at) };
}

const preview = (b: Buffer, max = 60): string => {
  const s = b.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const printable = /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(s);
  const shown = printable ? JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s) : `0x${b.subarray(0, max / 2).toString('hex')}${b.length > max / 2 ? '…' : ''}`;
  return `${shown} (${b.length} B)`;
};

/** Decode one packet. `level` is the protocol level from this connection's CONNECT (4 = 3.1.1, 5 = v5). */
export function decodeMqtt(p: Buffer, level = 4): { type: number; name: string; text: string; level?: number } {
  const type = p[0]! >> 4;
  const name = MQTT_TYPES[type] ?? `type ${type}`;
  const len = readVarInt(p, 1);
  if (!len) return { type, name, text: name };
  let at = 1 + len.size;
  const str = (): string => {
    const n = p.readUInt16BE(at);
    const s = p.subarray(at + 2, at + 2 + n).toString('utf8');
    at += 2 + n;
    return s;
  };
  const skipProps = (): void => {
    if (level !== 5) return;
    const pl = readVarInt(p, at);
    if (pl) at += pl.size + pl.value;
  };
  try {
    switch (type) {
      case 1: {
        const proto = str();
        const lvl = p[at]!;
        const flags = p[at + 1]!;
        const keepAlive = p.readUInt16BE(at + 2);
        at += 4;
        if (lvl === 5) {
          const pl = readVarInt(p, at);
          if (pl) at += pl.size + pl.value;
        }
        const clientId = str();
        if (flags & 0x04) {
          if (lvl === 5) {
            const pl = readVarInt(p, at);
            if (pl) at += pl.size + pl.value;
          }
          str();
          str();
        }
        const user = flags & 0x80 ? ` username=${JSON.stringify(str())}` : '';
        // The password is never decoded into the report, even though the evidence bytes are already redacted.
        const pass = flags & 0x40 ? ' password=(present)' : '';
        return { type, name, level: lvl, text: `CONNECT ${proto} v${lvl} clientId=${JSON.stringify(clientId)}${user}${pass} keepAlive=${keepAlive}s` };
      }
      case 2: {
        const code = p[at + 1]!;
        const meaning = level === 5 ? REASON_V5[code] : CONNACK_V3[code];
        return { type, name, text: `CONNACK sessionPresent=${p[at]! & 1} code=0x${code.toString(16).padStart(2, '0')} ${meaning ?? ''}`.trim() };
      }
      case 3: {
        const qos = (p[0]! >> 1) & 3;
        const topic = str();
        const id = qos > 0 ? ` id=${p.readUInt16BE((at += 2) - 2)}` : '';
        skipProps();
        return { type, name, text: `PUBLISH qos=${qos}${p[0]! & 1 ? ' retain' : ''} topic=${JSON.stringify(topic)}${id} payload=${preview(p.subarray(at))}` };
      }
      case 8: {
        const id = p.readUInt16BE(at);
        at += 2;
        skipProps();
        const topics: string[] = [];
        while (at < p.length) {
          const t = str();
          topics.push(`${t} (qos ${p[at]! & 3})`);
          at += 1;
        }
        return { type, name, text: `SUBSCRIBE id=${id} ${topics.join(', ')}` };
      }
      case 9: {
        const id = p.readUInt16BE(at);
        at += 2;
        skipProps();
        const codes = [...p.subarray(at)].map((c) => (c >= 0x80 ? `0x${c.toString(16)} ${REASON_V5[c] ?? 'failure'}` : `granted qos ${c}`));
        return { type, name, text: `SUBACK id=${id} ${codes.join(', ')}` };
      }
      case 4: case 5: case 6: case 7: case 11:
        return { type, name, text: `${name} id=${p.readUInt16BE(at)}` };
      case 10: {
        const id = p.readUInt16BE(at);
        at += 2;
        skipProps();
        const topics: string[] = [];
        while (at < p.length) topics.push(str());
        return { type, name, text: `UNSUBSCRIBE id=${id} ${topics.join(', ')}` };
      }
      default:
        return { type, name, text: name };
    }
  } catch {
    return { type, name, text: `${name} (truncated or redacted)` };
  }
}

/** Split by the remaining-length field; the protocol level of the connection's CONNECT governs v5 properties. */
export const mqttDecoder: EvidenceDecoder = {
  wireshark: { tcp: { dissector: 'mqtt', port: 1883 } },
  split: (buf: Buffer) => {
    const { packets, rest } = splitMqtt(buf);
    return { units: packets, rest };
  },
  decode: (unit: Buffer, stream: DecodeStream) => {
    const d = decodeMqtt(unit, (stream.state.get('level') as number | undefined) ?? 4);
    if (d.level) stream.state.set('level', d.level);
    return { text: d.text, type: d.type };
  },
};
