import { runConnectionFlood } from '../harness/faults/connection-flood.js';
import { FaultSession, faultCycleMs, safeStateNotApplicable } from '../harness/faults/fault-session.js';
import { faultsConfig } from '../harness/faults/faults-config.js';
import { runModbusStorm } from '../harness/faults/modbus-storm.js';
import { runMqttStorm } from '../harness/faults/mqtt-storm.js';
import { parseTcpUrl } from '../harness/protocols/transport/channel.js';
import { parsePorts } from '../harness/protocols/network/port-probe.js';
import { scenario } from '../harness/runner/scenario.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';

/**
 * Request storms at increasing rates (Modbus request flood, MQTT publish flood, connection flood
 * on the declared open ports) while the harness keeps mastering the device and the independent
 * monitor watches: the heartbeat must keep running and the outputs hold (CR 7.1: the network
 * side may degrade, the essential function may not). Rates actually reached are measured.
 */
export default scenario({
  id: 'request-storm',
  title: 'Essential outputs and heartbeat hold during request storms at increasing rates',
  requirements: ['CPSF:L2.009', 'IEC62443-4-2:CR7.1', 'IEC62443-4-2:CR7.2', 'EN303645:5.9-1', 'EN303645:5.9-2'],
  interfaces: ['modbus-tcp'],
  changesState: true,
  notApplicableWhen: safeStateNotApplicable,
  budgetMs: (t) => 20_000 + faultCycleMs(t.policy.safeState!, stormMs(t) + 5000),
  async run(ctx) {
    const t = ctx.target;
    const cfg = faultsConfig(t).storm;
    const s = await FaultSession.open(ctx, { samplePeriodMs: faultsConfig(t).monitorPeriodMs });
    const config = { before: await s.master.readConfig() } as { before: Record<string, unknown>; after: Record<string, unknown> };
    const tl = s.timeline('request-storm');
    const step = (text: string, attrs: Record<string, unknown>) => ctx.evidence.append({ channel: 'fault', dir: 'fault', text, attrs });
    tl.mark('fault-start', { modbusRates: cfg.modbusRates, mqttRates: cfg.mqttRates, stepMs: cfg.stepMs, connections: cfg.connections });

    // 1. Modbus request flood (FC03 reads of a declared point: no state change), increasing rates.
    const mb = t.interfaces.modbus!;
    const readAddr = s.master.points.find((p) => p.table === 'holding')?.address ?? 0;
    const modbus = [];
    for (const rate of cfg.modbusRates) {
      const r = await runModbusStorm({ url: mb.tcp!, unitId: mb.unitId, ratePerSec: rate, durationMs: cfg.stepMs, connections: cfg.connections, address: readAddr, signal: ctx.signal });
      step(`modbus storm ${rate} req/s: sent ${r.sent} (${r.achievedRate}/s), verified ${r.verifiedResponses} (${r.verifiedRate}/s)`, { storm: 'modbus', ...r });
      modbus.push(r);
    }
    ctx.measure('modbusStorm.requestedRates', modbus.map((r) => r.requestedRate), { unit: 'req/s' });
    ctx.measure('modbusStorm.achievedRates', modbus.map((r) => r.achievedRate), { unit: 'req/s' });
    ctx.measure('modbusStorm.verifiedRates', modbus.map((r) => r.verifiedRate), { unit: 'resp/s' });
    ctx.measure('modbusStorm.latencyP95Ms', modbus.map((r) => r.latencyP95Ms ?? -1), { unit: 'ms' });

    // 2. MQTT publish flood: idempotent commands (the value the master already commands).
    const mq = t.interfaces.mqtt;
    const admin = ctx.secrets.admin;
    const cmdPoint = Object.entries(t.policy.points).find(([n, p]) => p.mqtt && s.master.commanded.has(n));
    if (mq && admin && cmdPoint && cfg.mqttRates.length) {
      const [name, p] = cmdPoint;
      const payload = mq.commandTemplate.replace('{point}', p.mqtt!.name).replace('{value}', JSON.stringify(s.master.commanded.get(name)));
      const mqtt = [];
      for (const rate of cfg.mqttRates) {
        const r = await runMqttStorm({ url: mq.url, username: admin.username, password: admin.password, protocolVersion: mq.protocolVersion, tls: mq.tls, topic: mq.topics.command, payload: () => payload, ratePerSec: rate, durationMs: cfg.stepMs, signal: ctx.signal });
        step(`mqtt storm ${rate} msg/s: sent ${r.sent} (${r.achievedRate}/s), acked ${r.verifiedResponses} (${r.verifiedRate}/s)${r.connected ? '' : ` not connected: ${r.errors.join('; ')}`}`, { storm: 'mqtt', ...r });
        mqtt.push(r);
      }
      ctx.measure('mqttStorm.requestedRates', mqtt.map((r) => r.requestedRate), { unit: 'msg/s' });
      ctx.measure('mqttStorm.achievedRates', mqtt.map((r) => r.achievedRate), { unit: 'msg/s' });
      ctx.measure('mqttStorm.verifiedRates', mqtt.map((r) => r.verifiedRate), { unit: 'ack/s' });
    } else ctx.log('MQTT publish flood skipped: no MQTT interface, admin account or MQTT-mapped commanded point');

    // 3. Connection flood on every declared open TCP port (bounded count per port).
    if (cfg.connectionFlood > 0) {
      const host = t.interfaces.network?.host ?? parseTcpUrl(mb.tcp!).host;
      // On a shared host only the device's own port range is fair game (another program may own a declared port).
      const range = t.interfaces.network ? parsePorts(t.interfaces.network.tcpRange) : undefined;
      const ports = [...new Set(t.policy.ports.tcp)].filter((p) => !range || range.includes(p));
      const floods = [];
      for (const port of ports) {
        const r = await runConnectionFlood({ host, port, count: cfg.connectionFlood, signal: ctx.signal });
        step(`connection flood ${host}:${port}: ${r.accepted}/${r.attempted} accepted, ${r.refused} refused, ${r.droppedByPeer} dropped, ${r.timeouts} timed out (${r.achievedRate} conn/s)`, { storm: 'connections', ...r });
        floods.push(r);
      }
      ctx.measure('connectionFlood.ports', floods.map((r) => r.port));
      ctx.measure('connectionFlood.achievedRates', floods.map((r) => r.achievedRate), { unit: 'conn/s' });
      ctx.measure('connectionFlood.accepted', floods.map((r) => r.accepted));
    }
    tl.mark('fault-end');
    await ctx.sleep(s.safeState.recoveryMs + 1000);
    tl.mark('post-end');

    // After the storm the device must answer a valid request again without a power cycle.
    config.after = await s.master.readConfig();
    const dead = Object.entries(config.after).filter(([, v]) => v === null).map(([k]) => k);
    ctx.check('device answers valid requests after the storm', { expected: 'every declared point readable', actual: config.after, passed: dead.length === 0, reason: `the main Modbus interface stopped answering after the storm (${dead.join(', ')}): a hang that needs a power cycle` });
    const stats = await s.sampler.stop();
    s.evaluate(tl, 'hold-or-safe', { config: dead.length ? undefined : config, samplerStats: stats });
  },
});

function stormMs(t: TargetProfile): number {
  const c = faultsConfig(t).storm;
  const steps = c.modbusRates.length + (t.interfaces.mqtt ? c.mqttRates.length : 0);
  return steps * (c.stepMs + 1500) + t.policy.ports.tcp.length * 3000;
}
