// Declared UDP ports get the protocol's own request: each payload is a well-formed frame of its
// protocol, a service that ignores foreign datagrams answers it (open), and silence stays open|filtered.
import { createSocket } from 'node:dgram';
import { expect, test } from 'vitest';
import { probeUdp } from '../../harness/protocols/network/port-probe.js';
import { UDP_PAYLOADS, udpProbePayload } from '../../harness/protocols/network/udp-payloads.js';
import { useTestCleanups } from './helpers.js';

const { cleanups, evidence } = useTestCleanups();

test('every payload is a well-formed frame of its protocol', () => {
  const p = (port: number) => UDP_PAYLOADS.get(port)!.payload;
  // SNMP: BER SEQUENCE whose length covers the rest; version 1 (v2c); community "public".
  expect(p(161)[0]).toBe(0x30);
  expect(p(161)[1]).toBe(p(161).length - 2);
  expect(p(161).subarray(7, 13).toString()).toBe('public');
  // mDNS: one question, PTR (12), class IN, name _services._dns-sd._udp.local.
  expect(p(5353).readUInt16BE(4)).toBe(1);
  expect(p(5353).readUInt16BE(p(5353).length - 4)).toBe(12);
  expect(p(5353).toString('latin1')).toContain('_services');
  // BACnet/IP: BVLC type 0x81, length field = datagram length; confirmed ReadProperty (service 12).
  expect(p(47808)[0]).toBe(0x81);
  expect(p(47808).readUInt16BE(2)).toBe(p(47808).length);
  expect(p(47808)[9]).toBe(0x0c);
  // CoAP: version 1, confirmable, GET; Uri-Path .well-known / core.
  expect(p(5683)[0] >> 6).toBe(1);
  expect(p(5683)[1]).toBe(0x01);
  expect(p(5683).toString('latin1')).toContain('.well-known');
  // Modbus/UDP: MBAP length = unit + PDU; FC03.
  expect(p(502).readUInt16BE(4)).toBe(p(502).length - 6);
  expect(p(502)[7]).toBe(3);
  expect(udpProbePayload(40000).payload).toHaveLength(0);
});

test('a service that ignores foreign datagrams answers its protocol request: open; silence stays open|filtered', async () => {
  // An SNMP-like agent: answers only a BER SEQUENCE (0x30), drops everything else (as real agents do).
  const agent = createSocket('udp4');
  agent.on('message', (m, r) => m[0] === 0x30 && agent.send(Buffer.from([0x30, 0x00]), r.port, r.address));
  await new Promise<void>((r) => agent.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => agent.close(() => r())));
  const ctx = { evidence: evidence().evidence };
  const port = agent.address().port;
  expect((await probeUdp('127.0.0.1', port, Buffer.alloc(0), 300, ctx)).state).toBe('open|filtered');
  expect((await probeUdp('127.0.0.1', port, udpProbePayload(161).payload, 300, ctx)).state).toBe('open');
});
