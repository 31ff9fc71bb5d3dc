/**
 * Which service answers on each open port the profile declares an interface for: every protocol
 * with the identify capability probes its own endpoint on the scanned host (read-only).
 */
import type { TargetProfile } from '../profile/target-schema.js';
import { targetInterfaces } from '../protocols/registry.js';
import type { ChannelContext } from '../protocols/transport/channel.js';

export interface ServiceIdentity {
  port: number;
  /** The protocol declared for the port. */
  service: string;
  identified: boolean;
  detail: string;
}

export async function identifyServices(target: TargetProfile, host: string, open: number[], ctx: ChannelContext, signal: AbortSignal): Promise<ServiceIdentity[]> {
  const results: ServiceIdentity[] = [];
  for (const { iface, protocol } of targetInterfaces(target)) {
    const ep = protocol.identify?.endpoint(target, iface);
    if (!ep || ep.host !== host || !open.includes(ep.port)) continue;
    try {
      results.push({ port: ep.port, service: protocol.name, ...(await protocol.identify!.probe(target, iface, ctx, signal)) });
    } catch (e) {
      if (signal.aborted) throw e;
      results.push({ port: ep.port, service: protocol.name, identified: false, detail: (e as Error).message });
    }
  }
  return results;
}
