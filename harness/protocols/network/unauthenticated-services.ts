/**
 * Unauthenticated shells and command services on the device's address: a TCP scan of the declared
 * range, then every open port outside the allowlist and every declared maintenance port is tried
 * as a shell (command-service-probe.ts). One that runs a command without login is a failed check
 * naming the port and the output; a port that asks for a login, or runs nothing, is noted.
 */
import type { Findings, Judgement } from '../../core/finding.js';
import type { NetworkInterface, TargetProfile } from '../../profile/target-schema.js';
import type { UnauthenticatedServicesCapability } from '../capabilities/unauthenticated-services.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import { parseTcpUrl, type ChannelContext } from '../transport/channel.js';
import { probeCommandService, HARMLESS_COMMANDS, type CommandServiceResult } from './command-service-probe.js';
import { parsePorts } from './port-probe.js';
import { scanTcpPorts } from './tcp-scan.js';

/** Ports tried at most (an unexpected port beyond these is port-closure's finding, not tried here). */
const MAX_PORTS = 20;
/** Per port: the connect, the banner (two halves) and each command's reply (twice the timeout). */
const TIMEOUTS_PER_PORT = 2 + 2 * HARMLESS_COMMANDS.length;

const net = (t: TargetProfile): NetworkInterface => {
  if (!t.interfaces.network) throw new Error('the target has no network interface');
  return t.interfaces.network;
};

/** Ports to try: open outside the allowlist (the lab's own monitor excluded), plus declared maintenance ports. */
function candidates(target: TargetProfile, open: number[]): number[] {
  const n = net(target);
  const allowed = new Set(target.policy.ports.tcp);
  const excluded = new Set<number>();
  if (target.monitor) {
    const m = parseTcpUrl(target.monitor.modbusTcp);
    if (m.host === n.host) excluded.add(m.port);
  }
  const unexpected = open.filter((p) => !allowed.has(p) && !excluded.has(p));
  return [...new Set([...n.maintenancePorts, ...unexpected])].slice(0, MAX_PORTS);
}

const oneLine = (s: string, max = 160): string => s.replace(/\s+/g, ' ').trim().slice(0, max);

/** `out`: the scenario's sink; each port is judged as soon as it is tried, so a later port's throw keeps an earlier FAIL. */
export async function probeUnauthenticatedServices(target: TargetProfile, iface: string, ctx: ChannelContext & { signal: AbortSignal }, out?: Findings): Promise<Judgement> {
  const n = net(target);
  const f = new InterfaceFindings(iface, out);
  const scan = await scanTcpPorts(n.host, n.tcpRange, { concurrency: n.concurrency, timeoutMs: n.timeoutMs, signal: ctx.signal }, ctx);
  const ports = candidates(target, scan.open);
  f.measure('commandServiceCandidatePorts', ports);
  const results: CommandServiceResult[] = [];
  for (const port of ports) {
    const r = await probeCommandService(n.host, port, n.timeoutMs, ctx);
    results.push(r);
    const declared = n.maintenancePorts.includes(r.port) ? 'declared maintenance port' : 'port outside the allowlist';
    if (r.state === 'command-ran') {
      f.check(`port ${r.port} runs no command without login`, {
        expected: 'a login request, or no command service',
        actual: `\`${r.command}\` → ${oneLine(r.output ?? '')}`,
        passed: false,
        reason: `unauthenticated command service on TCP port ${r.port} (${declared}; ${r.prompt ? `prompt "${oneLine(r.banner, 60)}"` : 'no prompt'}): \`${r.command}\` ran without login and answered "${oneLine(r.output ?? '')}"`,
      });
    } else f.note(`TCP port ${r.port} (${declared}): ${r.state}${r.banner ? ` — said "${oneLine(r.banner, 60)}"` : ''}`);
  }
  if (results.some((r) => r.state === 'command-ran')) return f;
  if (scan.errors.length) return f.end('INCONCLUSIVE', `${scan.errors.length} ports of ${n.tcpRange} could not be probed for a command service`);
  const tried = results.map((r) => `${r.port} (${r.state})`).join(', ');
  return f.end('PASS', ports.length ? `no port ran a command without login; tried ${tried}` : `no open port outside the allowlist in ${n.tcpRange} and no declared maintenance port: nothing to try`);
}

export const unauthenticatedServices: UnauthenticatedServicesCapability = {
  probe: probeUnauthenticatedServices,
  boundMs: (t) => {
    const n = net(t);
    const scanMs = Math.ceil(parsePorts(n.tcpRange).length / n.concurrency) * n.timeoutMs;
    return scanMs + MAX_PORTS * TIMEOUTS_PER_PORT * n.timeoutMs;
  },
};
