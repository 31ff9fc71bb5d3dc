/**
 * The protocols the harness speaks. A new protocol is one folder under harness/protocols/ and one
 * line in BUILT_IN (or a registerProtocol call, for a lab's own protocol). Everything else — the
 * profile, the scenarios, the reports — finds it here by name or by capability.
 */
import { registerInterfaceSchema } from '../profile/interface-schemas.js';
import type { InterfaceName, TargetProfile } from '../profile/target-schema.js';
import consoleProtocol from './console/index.js';
import modbusProtocol from './modbus/index.js';
import monitorProtocol from './monitor/index.js';
import mqttProtocol from './mqtt/index.js';
import networkProtocol from './network/index.js';
import opcuaProtocol from './opcua/index.js';
import type { LoginCapability, PointsCapability, ProtocolModule } from './protocol.js';

const BUILT_IN: ProtocolModule[] = [consoleProtocol, modbusProtocol, mqttProtocol, opcuaProtocol, networkProtocol, monitorProtocol];

const protocols = new Map<string, ProtocolModule>();

/** Adds a protocol (built-ins at load; a lab's own protocol before its profile is loaded). */
export function registerProtocol(p: ProtocolModule): void {
  protocols.set(p.name, p);
  if (p.interfaceSchema) registerInterfaceSchema(p.name, p.interfaceSchema);
}
for (const p of BUILT_IN) registerProtocol(p);

export function protocolNamed(name: string): ProtocolModule | undefined {
  return protocols.get(name);
}

export function allProtocols(): ProtocolModule[] {
  return [...protocols.values()];
}

/** One interface of a target and the protocol that serves it. */
export interface TargetInterface {
  iface: InterfaceName;
  protocol: ProtocolModule;
}

/** Every interface the target has, in registry order. */
export function targetInterfaces(target: TargetProfile): TargetInterface[] {
  return allProtocols().flatMap((protocol) => protocol.interfaces(target).map((iface) => ({ iface, protocol })));
}

export function interfaceNames(target: TargetProfile): Set<InterfaceName> {
  return new Set(targetInterfaces(target).map((i) => i.iface));
}

/** The protocol serving `iface` on this target. */
export function protocolOf(target: TargetProfile, iface: InterfaceName): ProtocolModule | undefined {
  return targetInterfaces(target).find((i) => i.iface === iface)?.protocol;
}

export interface LoginInterface extends TargetInterface {
  login: LoginCapability;
}

/** The interfaces a user logs in on. */
export function loginInterfaces(target: TargetProfile): LoginInterface[] {
  return targetInterfaces(target).flatMap((i) => (i.protocol.login ? [{ ...i, login: i.protocol.login }] : []));
}

export interface PointInterface extends TargetInterface {
  points: PointsCapability;
}

/** The interfaces that write and read process points. */
export function pointInterfaces(target: TargetProfile): PointInterface[] {
  return targetInterfaces(target).flatMap((i) => (i.protocol.points ? [{ ...i, points: i.protocol.points }] : []));
}

/** The protocol on which the target declares its security alerts, if any. */
export function alertSource(target: TargetProfile): { protocol: ProtocolModule; destination: string } | undefined {
  for (const { protocol } of targetInterfaces(target)) {
    const destination = protocol.alerts?.declared(target);
    if (destination) return { protocol, destination };
  }
  return undefined;
}

/** Capabilities a scenario can ask for; a scenario that needs one applies to every interface offering it. */
export type Capability = 'login' | 'points' | ProbeCapability;

export function interfacesWith(target: TargetProfile, capability: Capability): InterfaceName[] {
  if (capability !== 'login' && capability !== 'points') return interfacesOffering(target, capability).map((i) => i.iface);
  return (capability === 'login' ? loginInterfaces(target) : pointInterfaces(target)).map((i) => i.iface);
}

/** Capabilities a protocol may declare for one scenario family (privilege separation, secure channel, idle sessions). */
export type ProbeCapability = 'privilege' | 'secureChannel' | 'idleSession' | 'unauthenticatedServices';

/** One interface of the target whose protocol declares capability K, with that capability. */
export type CapabilityInterface<K extends ProbeCapability> = TargetInterface & { capability: NonNullable<ProtocolModule[K]> };

/** The interfaces whose protocol declares `key`, in registry order. */
export function interfacesOffering<K extends ProbeCapability>(target: TargetProfile, key: K): CapabilityInterface<K>[] {
  return targetInterfaces(target).flatMap((i) => {
    const capability = i.protocol[key];
    return capability ? [{ ...i, capability: capability as NonNullable<ProtocolModule[K]> }] : [];
  });
}
