/**
 * Malformed MQTT packets for robustness probes: a broken remaining length, garbage after a
 * CONNECT, a reserved packet type, a PUBLISH announcing an enormous length, and noise. A robust
 * broker closes the connection (MQTT 3.1.1 §4.8) and keeps serving everyone else.
 */
import { noise, type MalformedCase } from '../modbus/malformed-modbus.js';

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
