/**
 * The device's open ports against its declared allowlist (CPSF L2.008/L2.018, CR 7.7): a TCP scan
 * of the declared range, the unexpected ports named with what their service says first, service
 * identification on the allowed ports (a forbidden service can hide on an allowed port), and UDP,
 * where only an answer (open) or ICMP unreachable (closed) decides. Findings for the network interface.
 */
import { Findings, type Judgement } from '../core/finding.js';
import type { TargetProfile } from '../profile/target-schema.js';
import { grabBanner, probeUdp } from '../protocols/network/port-probe.js';
import { scanTcpPorts } from '../protocols/network/tcp-scan.js';
import { udpProbePayload } from '../protocols/network/udp-payloads.js';
import { parseTcpUrl, type ChannelContext } from '../protocols/transport/channel.js';
import { compareWithAllowlist, portRange } from './port-allowlist.js';
import { identifyServices } from './service-identification.js';

/** Open ports named in a failure reason, each with what the service said first. */
const MAX_BANNERS = 20;
/** A banner grab waits half its deadline for the service, then nudges and waits the other half; a UDP probe waits as long. */
const BANNER_TIMEOUTS = 2;
/** Probe and slack per UDP port, in network timeouts, for the budget. */
const UDP_TIMEOUTS = 3;

const IFACE = 'network';

/** Worst-case time of the audit beyond a fixed slack, from the declared range, concurrency and timeout. */
export function portAuditMs(t: TargetProfile): number {
  const net = t.interfaces.network;
  if (!net) return 0;
  return Math.ceil(portRange(net.tcpRange).length / net.concurrency) * net.timeoutMs + net.udpPorts.length * UDP_TIMEOUTS * net.timeoutMs;
}

/** `out`: the scenario's sink (`ctx.judge`): an unexpected port proven before a later probe throws stays a FAIL. */
export async function auditPorts(target: TargetProfile, ctx: ChannelContext & { signal: AbortSignal }, out?: Findings): Promise<Judgement> {
  const f = new Findings(out);
  const net = target.interfaces.network!;
  const { tcp: allowTcp, udp: allowUdp } = target.policy.ports;
  const signal = ctx.signal;
  const probeMs = BANNER_TIMEOUTS * net.timeoutMs;

  // The lab's independent monitor may share the host (a simulator on loopback): it is not the device's port.
  const excluded: { port: number; why: string }[] = [];
  if (target.monitor) {
    const m = parseTcpUrl(target.monitor.modbusTcp);
    if (m.host === net.host) excluded.push({ port: m.port, why: 'the independent field monitor declared in the profile (lab equipment, not the device)' });
  }

  const scan = await scanTcpPorts(net.host, net.tcpRange, { concurrency: net.concurrency, timeoutMs: net.timeoutMs, signal }, ctx);
  f.measure('scannedTcpPorts', scan.scanned, { unit: 'ports' });
  f.measure('scanElapsed', scan.elapsedMs, { unit: 'ms' });
  f.measure('openTcpPorts', scan.open);
  if (scan.errors.length) f.verdict('INCONCLUSIVE', `${scan.errors.length} ports could not be probed (${scan.errors.slice(0, 5).map((e) => `${e.port}:${e.code}`).join(', ')})`);

  const inRange = new Set(portRange(net.tcpRange));
  const finding = compareWithAllowlist(scan.open, allowTcp, excluded, (p) => inRange.has(p));
  // The count carries the limit; the list is information (an array is never `equals: 0`).
  f.measure('unexpectedOpenTcpPortCount', finding.unexpectedOpen.length, { unit: 'ports', limits: { equals: 0 } });
  f.measure('unexpectedOpenTcpPorts', finding.unexpectedOpen);
  for (const e of finding.excluded) f.note(`port ${e.port} open but excluded: ${e.why}`);
  if (finding.declaredButClosed.length) f.note(`declared ports not open: ${finding.declaredButClosed.join(', ')} (an observation, not a finding)`);

  const named: string[] = [];
  try {
    for (const port of finding.unexpectedOpen.slice(0, MAX_BANNERS)) {
      const b = await grabBanner(net.host, port, { timeoutMs: probeMs, signal }, ctx);
      const text = b.text.replace(/\s+/g, ' ').trim().slice(0, 60);
      named.push(text ? `${port} ("${text}")` : `${port}`);
    }
  } finally {
    // The scan proved it: the check stands even when a banner grab is cut short (ports then unnamed).
    const names = [...named, ...finding.unexpectedOpen.slice(named.length, MAX_BANNERS).map(String)];
    f.check('open TCP ports ⊆ allowlist', {
      expected: allowTcp,
      actual: scan.open.filter((p) => !excluded.some((e) => e.port === p)),
      passed: finding.unexpectedOpen.length === 0,
      iface: IFACE,
      reason: `unexpected open TCP port(s) not in the declared allowlist: ${names.join(', ')}${finding.unexpectedOpen.length > MAX_BANNERS ? ` and ${finding.unexpectedOpen.length - MAX_BANNERS} more` : ''}`,
    });
  }

  // Allowed ports must carry the service they are declared for.
  const ids = await identifyServices(target, net.host, scan.open, ctx, signal);
  f.measure('identifiedServices', ids.filter((x) => x.identified).map((x) => `${x.port}/${x.service}`));
  for (const id of ids) {
    f.note(`service identification ${id.port}/${id.service}: ${id.identified ? 'ok' : 'NOT identified'} (${id.detail})`);
    if (!id.identified) f.verdict('INCONCLUSIVE', `port ${id.port} is open and declared for ${id.service}, but does not answer as ${id.service} (${id.detail}): cannot tell which service listens there`, IFACE);
  }

  // UDP: only a protocol answer (open) or ICMP unreachable (closed) decides; silence is open|filtered.
  const undecided: number[] = [];
  for (const port of net.udpPorts) {
    const r = await probeUdp(net.host, port, udpProbePayload(port).payload, probeMs, ctx, { signal });
    if (allowUdp.includes(port)) continue;
    if (r.state === 'open') f.verdict('FAIL', `UDP port ${port} answered and is not in the allowlist`, IFACE);
    else if (r.state === 'open|filtered') undecided.push(port);
  }
  if (undecided.length) f.verdict('INCONCLUSIVE', `UDP port(s) ${undecided.join(', ')} gave no answer and no ICMP unreachable: open|filtered cannot be decided`, IFACE);

  if (finding.unexpectedOpen.length === 0 && !scan.errors.length && ids.every((x) => x.identified)) {
    f.verdict('PASS', `${scan.scanned} TCP ports scanned (${net.tcpRange}); open: ${scan.open.join(', ') || 'none'}, all declared${ids.length ? `; services identified: ${ids.map((x) => `${x.port}/${x.service}`).join(', ')}` : ''}`, IFACE);
  }
  return f;
}
