/**
 * What to send to a declared UDP port so that a live service answers: UDP services stay silent on
 * an empty or foreign datagram, and silence can only be judged open|filtered. One well-formed,
 * read-only request per well-known port (the same idea as nmap's nmap-payloads); any other port gets
 * an empty datagram, as nmap sends. None of these changes the device's state.
 */

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** SNMPv2c GetRequest sysDescr.0 (1.3.6.1.2.1.1.1.0), community "public" (the protocol's well-known default). */
const SNMP_GET_SYSDESCR = hex('3029 020101 0406 7075626c6963 a01c 0204 48494c31 020100 020100 300e 300c 0608 2b06010201010100 0500');

/** mDNS legacy-unicast query (from a port other than 5353, so the responder answers by unicast): PTR _services._dns-sd._udp.local. */
const MDNS_SERVICES = Buffer.concat([
  hex('0000 0000 0001 0000 0000 0000'),
  ...['_services', '_dns-sd', '_udp', 'local'].map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
  hex('00 000c 0001'),
]);

/** BACnet/IP confirmed ReadProperty object-identifier of device 4194303 (the wildcard instance): every device answers. */
const BACNET_READ_DEVICE_ID = hex('810a0011 0104 0005 01 0c 0c023fffff 194b');

/** CoAP confirmable GET /.well-known/core (RFC 6690 resource discovery); a server answers even with 4.04. */
const COAP_WELL_KNOWN_CORE = Buffer.concat([hex('4001 4849'), Buffer.from([0xbb]), Buffer.from('.well-known'), Buffer.from([0x04]), Buffer.from('core')]);

/** Modbus/UDP (MBAP framing over UDP): read one holding register at 0, unit 1; data or an exception both answer. */
const MODBUS_READ_HOLDING = hex('4849 0000 0006 01 03 0000 0001');

/** NTP v4 client request (mode 3). */
const NTP_CLIENT = Buffer.concat([Buffer.from([0x23]), Buffer.alloc(47)]);

/** SSDP unicast M-SEARCH for all devices. */
const SSDP_MSEARCH = Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n');

export const UDP_PAYLOADS: ReadonlyMap<number, { protocol: string; payload: Buffer }> = new Map([
  [161, { protocol: 'SNMP', payload: SNMP_GET_SYSDESCR }],
  [5353, { protocol: 'mDNS', payload: MDNS_SERVICES }],
  [47808, { protocol: 'BACnet/IP', payload: BACNET_READ_DEVICE_ID }],
  [5683, { protocol: 'CoAP', payload: COAP_WELL_KNOWN_CORE }],
  [502, { protocol: 'Modbus/UDP', payload: MODBUS_READ_HOLDING }],
  [123, { protocol: 'NTP', payload: NTP_CLIENT }],
  [1900, { protocol: 'SSDP', payload: SSDP_MSEARCH }],
]);

/** The probe datagram for `port`: the protocol's request when the port is well known, else empty. */
export function udpProbePayload(port: number): { protocol: string; payload: Buffer } {
  return UDP_PAYLOADS.get(port) ?? { protocol: 'unknown (empty datagram)', payload: Buffer.alloc(0) };
}
