import { auditPorts, portAuditMs } from '../harness/oracles/port-audit.js';
import { scenario } from '../harness/runner/scenario.js';

/** Unused TCP/UDP ports are closed: harness/oracles/port-audit.ts scans, names and identifies. */
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
  checks: [
    'open TCP ports in the declared range are a subset of the allowlist (unexpected ones named with their banner)',
    'each allowed port answers as the service it is declared for',
    'no UDP port outside the allowlist answers',
  ],
  interfaces: ['network'],
  changesState: false,
  budgetMs: (t) => 60_000 + portAuditMs(t),
  async run(ctx) {
    await ctx.judge((out) => auditPorts(ctx.target, ctx.channelCtx, out));
  },
});
