import type { ChannelContext } from './transport/channel.js';
import type { TargetProfile } from '../profile/target-schema.js';
import type { AuthSurface } from './capabilities/auth-surface.js';
import { ConsoleAuthSurface } from './console/console-auth.js';
import { MqttAuthSurface } from './mqtt/mqtt-auth.js';
import { OpcuaAuthSurface, opcuaProofNode } from './opcua/opcua-auth.js';

/** The interfaces a user logs in on. */
export type AuthIface = AuthSurface['iface'];
export const AUTH_IFACES: readonly AuthIface[] = ['console', 'mqtt', 'opcua'];

/** A surface plus whatever it holds open (the console keeps its serial line across attempts). */
export type ClosableSurface = AuthSurface & { close?(): Promise<void> };

/** The login surface of `iface` as the profile describes it, or undefined when the target lacks it. */
export function authSurfaceFor(target: TargetProfile, iface: AuthIface, ctx: ChannelContext): ClosableSurface | undefined {
  const i = target.interfaces;
  switch (iface) {
    case 'console':
      return i.console ? new ConsoleAuthSurface(i.console, ctx) : undefined;
    case 'mqtt':
      return i.mqtt ? new MqttAuthSurface(i.mqtt, ctx) : undefined;
    case 'opcua':
      return i.opcua ? new OpcuaAuthSurface(i.opcua, ctx, opcuaProofNode(target)) : undefined;
  }
}

/** Worst-case time of one login attempt on an interface (prompt waits, connect, proof action, logout): for scenario budgets. */
export function attemptBoundMs(t: TargetProfile, iface: AuthIface): number {
  const i = t.interfaces;
  if (iface === 'console') return 6 * (i.console?.timeoutMs ?? 3000);
  if (iface === 'mqtt') return 2 * (i.mqtt?.timeoutMs ?? 3000) + 1000;
  return 3 * (i.opcua?.timeoutMs ?? 8000);
}
