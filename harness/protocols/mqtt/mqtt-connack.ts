import type { MqttConnectResult } from './mqtt-channel.js';

/**
 * What a CONNACK (or its absence) means for an access probe:
 * - accepted: CONNACK 0, the session is up;
 * - auth-refused: 4/5 (3.1.1) or 0x86/0x87 (5): the broker refused the identity;
 * - other-refused: a valid CONNACK with another refusal code (protocol version, identifier, unavailable, ...);
 * - no-connack: the connection closed, timed out or failed TLS before any CONNACK;
 * - garbage: something arrived that is not a valid CONNACK (unknown code, malformed).
 */
export type ConnackClass = 'accepted' | 'auth-refused' | 'other-refused' | 'no-connack' | 'garbage';

const V3_VALID = new Set([0, 1, 2, 3, 4, 5]);
const V3_AUTH = new Set([4, 5]);
const V5_AUTH = new Set([0x86, 0x87]);
/** MQTT 5 CONNACK reason codes (spec table 3-1). */
const V5_VALID = new Set([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]);

export function classifyConnack(r: MqttConnectResult, protocolVersion: number): ConnackClass {
  if (r.ok) return 'accepted';
  const c = r.connack;
  if (!c) return r.kind === 'protocol' ? 'garbage' : 'no-connack';
  const v5 = protocolVersion === 5;
  if (!(v5 ? V5_VALID : V3_VALID).has(c.code)) return 'garbage';
  if ((v5 ? V5_AUTH : V3_AUTH).has(c.code)) return 'auth-refused';
  return 'other-refused';
}

/** A valid CONNACK of any code: proof that the port speaks MQTT in the clear (or over whatever the URL said). */
export function gotValidConnack(r: MqttConnectResult, protocolVersion: number): boolean {
  const k = classifyConnack(r, protocolVersion);
  return k === 'accepted' || k === 'auth-refused' || k === 'other-refused';
}
