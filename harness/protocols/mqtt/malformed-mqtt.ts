/**
 * Malformed MQTT packets for robustness probes: a broken remaining length, garbage after a
 * CONNECT, a reserved packet type, a PUBLISH announcing an enormous length, and noise. A robust
 * broker closes the connection (MQTT 3.1.1 §4.8) and keeps serving everyone else.
 */
import { noise, type MalformedCase, type MalformedInputCapability, type MalformedSession } from '../capabilities/malformed-input.js';
import { MqttChannel } from './mqtt-channel.js';

/** Payload of the oversized PUBLISH an authenticated client sends on the command topic. */
const OVERSIZED_BYTES = 256 * 1024;

/** A minimal MQTT 3.1.1 CONNECT without credentials. */
export function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const varHeader = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x1e]);
  const payload = Buffer.concat([Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  const rest = Buffer.concat([varHeader, payload]);
  return Buffer.concat([Buffer.from([0x10, rest.length]), rest]);
}

export function malformedMqttCases(): MalformedCase[] {
  return [
    { name: 'CONNECT with an invalid remaining length (5-byte varint)', bytes: Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]) },
    { name: 'garbage after CONNECT', bytes: Buffer.concat([connectPacket('hil-malformed'), noise(64, 23)]) },
    { name: 'reserved packet type 0', bytes: Buffer.from([0x00, 0x02, 0xde, 0xad]) },
    { name: 'PUBLISH announcing 256 MB (before CONNECT)', bytes: Buffer.concat([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), noise(1024, 29)]) },
    { name: 'binary noise (512 bytes)', bytes: noise(512, 31) },
  ];
}

/**
 * Raw cases on fresh connections, then (with an account) an oversized PUBLISH from an authenticated
 * client. The valid request: a CONNECT with the account (a rejection is an answer too), or without
 * one an anonymous CONNECT that must get a CONNACK.
 */
export const malformedMqtt: MalformedInputCapability = {
  async open(t, _iface, opts, ctx): Promise<MalformedSession> {
    const mq = t.interfaces.mqtt!;
    const admin = opts.account;
    const oversized: MalformedCase = { name: `oversized PUBLISH payload (${OVERSIZED_BYTES / 1024} KiB) on the command topic`, bytes: Buffer.alloc(0) };
    return {
      cases: [...malformedMqttCases(), ...(admin ? [oversized] : [])],
      async send(c) {
        if (c === oversized && admin) {
          const r = await MqttChannel.connect(mq, { username: admin.username, password: admin.password }, ctx);
          if (!r.ok) return { text: `could not connect (${r.error})` };
          try {
            const p = await r.channel.publish(mq.topics.command, Buffer.concat([Buffer.from('{"point":"'), noise(OVERSIZED_BYTES, 37), Buffer.from('"}')]), { qos: 1, settleMs: opts.reactionWaitMs });
            return { text: `publish ${p.outcome}${p.connectionClosed ? ', connection closed by the device' : ''}` };
          } finally {
            await r.channel.close();
          }
        }
        const r = await opts.raw({ url: mq.url, tls: mq.tls, bytes: c.bytes, waitMs: opts.reactionWaitMs * 2, channel: 'mqtt', text: `malformed: ${c.name}` });
        return { text: !r.connected ? `could not connect (${r.error})` : r.closedByPeer ? 'connection closed by the device' : r.rx.length ? `answered ${r.rx.length} bytes` : 'no answer' };
      },
      async alive() {
        if (admin) {
          const r = await MqttChannel.connect(mq, { username: admin.username, password: admin.password }, ctx);
          if (r.ok) await r.channel.close();
          return r.ok || r.kind === 'rejected';
        }
        const r = await opts.raw({ url: mq.url, tls: mq.tls, bytes: connectPacket('hil-control'), waitMs: mq.timeoutMs, channel: 'mqtt', text: 'control CONNECT' });
        return r.rx[0] === 0x20;
      },
      close: async () => undefined,
    };
  },
};
