/**
 * Service identification on allowed ports (what nmap -sV does for a scan): an allowed port must
 * speak the protocol it is declared for. Each protocol that listens on TCP says where, and probes
 * read-only (a one-register Modbus read, an anonymous MQTT CONNECT, an OPC UA Hello, a console nudge).
 */
import type { InterfaceName, TargetProfile } from '../../profile/target-schema.js';
import type { ChannelContext } from '../transport/channel.js';

export interface ServiceProbeResult {
  identified: boolean;
  detail: string;
}

export interface ServiceIdentityCapability {
  /** Where this interface listens over TCP, or undefined (a serial line, say). */
  endpoint(target: TargetProfile, iface: InterfaceName): { host: string; port: number } | undefined;
  /** Does the endpoint answer as this protocol? Device behaviour comes back as data. */
  probe(target: TargetProfile, iface: InterfaceName, ctx: ChannelContext, signal: AbortSignal): Promise<ServiceProbeResult>;
}
