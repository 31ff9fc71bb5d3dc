/**
 * A console may have several endpoints (its serial line and a TCP port). The main one is the
 * interface 'console'; each entry of `interfaces.console.endpoints` is the interface
 * 'console-<key>' with the same prompts and commands, reached at its own address.
 */
import type { ConsoleEndpoint, ConsoleInterface, InterfaceName, TargetProfile } from '../../profile/target-schema.js';

export const CONSOLE = 'console';

/** The console interfaces of a target: 'console' and one 'console-<key>' per further endpoint. */
export function consoleInterfaces(t: TargetProfile): InterfaceName[] {
  const c = t.interfaces.console;
  return c ? [CONSOLE, ...Object.keys(c.endpoints ?? {}).map((k) => `${CONSOLE}-${k}`)] : [];
}

function endpointOf(c: ConsoleInterface, iface: InterfaceName): ConsoleEndpoint | undefined {
  if (iface === CONSOLE) return undefined;
  const key = iface.startsWith(`${CONSOLE}-`) ? iface.slice(CONSOLE.length + 1) : undefined;
  const ep = key !== undefined && Object.hasOwn(c.endpoints ?? {}, key) ? c.endpoints[key] : undefined;
  if (!ep) throw new Error(`the target has no console endpoint for interface ${iface}`);
  return ep;
}

/** The console settings of one console interface: the main block with the endpoint's address and session model. */
export function consoleConfig(t: { interfaces: { console?: ConsoleInterface } }, iface: InterfaceName = CONSOLE): ConsoleInterface {
  const c = t.interfaces.console;
  if (!c) throw new Error('the target has no console interface');
  const ep = endpointOf(c, iface);
  if (!ep) return c;
  return { ...c, connect: ep.connect, baudRate: ep.baudRate ?? c.baudRate, ...(ep.session ?? c.session ? { session: ep.session ?? c.session } : {}), endpoints: {} };
}

/** Whether two console interfaces use one account database (lockout counters, passwords). */
export function sharesAccounts(t: TargetProfile, a: InterfaceName, b: InterfaceName): boolean {
  const c = t.interfaces.console;
  if (!c || a === b) return true;
  const shared = (i: InterfaceName) => endpointOf(c, i)?.sharesAccounts ?? true;
  return shared(a) && shared(b);
}
