import { grabBanner, probeUdp, scanTcp } from '../harness/protocols/network/port-probe.js';
import { parseTcpUrl } from '../harness/protocols/transport/channel.js';
import { compareWithAllowlist, portRange } from '../harness/oracles/port-allowlist.js';
import { identifyServices } from '../harness/protocols/service-identity.js';
import { scenario } from '../harness/runner/scenario.js';

/** Open ports named in a failure reason, each with what the service said first. */
const MAX_BANNERS = 20;

export default scenario({
  id: 'port-closure',
  title: 'Unused TCP/UDP ports are closed (open set matches the declared allowlist)',
  requirements: [
    'CPSF:L2.008',
    'CPSF:L2.018',
    'PlantIoT:2-4',
    'JSSEC:No.47',
    'IEC62443-4-2:CR7.7',
    'IEC62443-4-2:NDR5.2',
    'EN303645:5.6-1',
    'EN303645:5.6-2',
    'NISTIR8259A:LAI-1',
  ],
  interfaces: ['network'],
  changesState: false,
  budgetMs: (t) => {
    const n = t.interfaces.network ? portRange(t.interfaces.network.tcpRange).length : 0;
    const net = t.interfaces.network;
    return 60_000 + (net ? Math.ceil(n / net.concurrency) * net.timeoutMs : 0) + (net?.udpPorts.length ?? 0) * 3_000;
  },
  async run(ctx) {
    const net = ctx.target.interfaces.network!;
    const allowTcp = ctx.target.policy.ports.tcp;
    const allowUdp = ctx.target.policy.ports.udp;

    // The lab's independent monitor may share the host (a simulator on loopback): it is not the device's port.
    const excluded: { port: number; why: string }[] = [];
    if (ctx.target.monitor) {
      const m = parseTcpUrl(ctx.target.monitor.modbusTcp);
      if (m.host === net.host) excluded.push({ port: m.port, why: 'the independent field monitor declared in the profile (lab equipment, not the device)' });
    }

    const scan = await scanTcp(net.host, net.tcpRange, { concurrency: net.concurrency, timeoutMs: net.timeoutMs, signal: ctx.signal }, ctx.channelCtx);
    ctx.measure('scannedTcpPorts', scan.scanned, { unit: 'ports' });
    ctx.measure('scanElapsed', scan.elapsedMs, { unit: 'ms' });
    ctx.measure('openTcpPorts', scan.open);
    if (scan.errors.length) {
      ctx.inconclusive(`${scan.errors.length} ports could not be probed (${scan.errors.slice(0, 5).map((e) => `${e.port}:${e.code}`).join(', ')})`);
    }

    const inRange = new Set(portRange(net.tcpRange));
    const finding = compareWithAllowlist(scan.open, allowTcp, excluded, (p) => inRange.has(p));
    ctx.measure('unexpectedOpenTcpPorts', finding.unexpectedOpen, { limits: { equals: 0 } });
    for (const e of finding.excluded) ctx.log(`port ${e.port} open but excluded: ${e.why}`);
    if (finding.declaredButClosed.length) ctx.log(`declared ports not open: ${finding.declaredButClosed.join(', ')} (an observation, not a finding)`);

    const named: string[] = [];
    for (const port of finding.unexpectedOpen.slice(0, MAX_BANNERS)) {
      const b = await grabBanner(net.host, port, { timeoutMs: 2000, signal: ctx.signal }, ctx.channelCtx);
      const text = b.text.replace(/\s+/g, ' ').trim().slice(0, 60);
      named.push(text ? `${port} ("${text}")` : `${port}`);
    }
    ctx.check('open TCP ports ⊆ allowlist', {
      expected: allowTcp,
      actual: scan.open.filter((p) => !excluded.some((e) => e.port === p)),
      passed: finding.unexpectedOpen.length === 0,
      iface: 'network',
      reason: `unexpected open TCP port(s) not in the declared allowlist: ${named.join(', ')}${finding.unexpectedOpen.length > MAX_BANNERS ? ` and ${finding.unexpectedOpen.length - MAX_BANNERS} more` : ''}`,
    });

    // Allowed ports must carry the service they are declared for (a forbidden service can hide on an allowed port).
    const ids = await identifyServices(ctx.target, net.host, scan.open, ctx.channelCtx, ctx.signal);
    ctx.measure('identifiedServices', ids.filter((x) => x.identified).map((x) => `${x.port}/${x.service}`));
    for (const id of ids) {
      ctx.log(`service identification ${id.port}/${id.service}: ${id.identified ? 'ok' : 'NOT identified'} (${id.detail})`);
      if (!id.identified) ctx.inconclusive(`port ${id.port} is open and declared for ${id.service}, but does not answer as ${id.service} (${id.detail}): cannot tell which service listens there`, 'network');
    }

    // UDP: only a protocol answer (open) or ICMP unreachable (closed) decides; silence is open|filtered.
    const undecided: number[] = [];
    for (const port of net.udpPorts) {
      const r = await probeUdp(net.host, port, Buffer.alloc(0), 2000, ctx.channelCtx, { signal: ctx.signal });
      if (allowUdp.includes(port)) continue;
      if (r.state === 'open') ctx.fail(`UDP port ${port} answered and is not in the allowlist`, 'network');
      else if (r.state === 'open|filtered') undecided.push(port);
    }
    if (undecided.length) ctx.inconclusive(`UDP port(s) ${undecided.join(', ')} gave no answer and no ICMP unreachable: open|filtered cannot be decided`, 'network');

    if (finding.unexpectedOpen.length === 0 && !scan.errors.length && ids.every((x) => x.identified)) {
      ctx.pass(`${scan.scanned} TCP ports scanned (${net.tcpRange}); open: ${scan.open.join(', ') || 'none'}, all declared${ids.length ? `; services identified: ${ids.map((x) => `${x.port}/${x.service}`).join(', ')}` : ''}`, 'network');
    }
  },
});
