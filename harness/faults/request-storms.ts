/**
 * The request storms of the request-storm scenario, at the profile's declared rates: a Modbus
 * request flood (FC03 reads of a declared point: no state change), an MQTT publish flood of
 * idempotent commands (the value the master already commands), and a bounded connection flood on
 * every declared open TCP port. Each step goes into the evidence as a 'fault' record; the rates
 * actually reached come back as measurements.
 */
import { Findings, type Judgement } from '../core/finding.js';
import { findAccount } from '../profile/account-query.js';
import type { TargetProfile } from '../profile/target-schema.js';
import { parsePorts } from '../protocols/network/port-probe.js';
import { parseTcpUrl } from '../protocols/transport/channel.js';
import { runConnectionFlood } from './connection-flood.js';
import type { FaultScene } from './fault-scene.js';
import type { FaultSession } from './fault-session.js';
import { faultsConfig } from './faults-config.js';
import { runModbusStorm } from './modbus-storm.js';
import { runMqttStorm } from './mqtt-storm.js';

/** Slack per storm step (connect, drain) and per flooded port, for the budget. */
const STEP_SLACK_MS = 1500;
const PORT_FLOOD_MS = 3000;

/** How long the storms take at most, from the declared rates and step length. */
export function stormMs(t: TargetProfile): number {
  const c = faultsConfig(t).storm;
  const steps = c.modbusRates.length + (t.interfaces.mqtt ? c.mqttRates.length : 0);
  return steps * (c.stepMs + STEP_SLACK_MS) + t.policy.ports.tcp.length * PORT_FLOOD_MS;
}

/** The declared storm plan, for the fault-start mark of the timeline. */
export function stormPlan(t: TargetProfile): Record<string, unknown> {
  const cfg = faultsConfig(t).storm;
  return { modbusRates: cfg.modbusRates, mqttRates: cfg.mqttRates, stepMs: cfg.stepMs, connections: cfg.connections };
}

/** `out`: the scenario's sink, so the rates measured before a storm step throws are kept. */
export async function runRequestStorms(scene: FaultScene, s: FaultSession, out?: Findings): Promise<Judgement> {
  const t = scene.target;
  const cfg = faultsConfig(t).storm;
  const f = new Findings(out);
  const step = (text: string, attrs: Record<string, unknown>) => scene.evidence.append({ channel: 'fault', dir: 'fault', text, attrs });

  // 1. Modbus request flood, increasing rates.
  const mb = t.interfaces.modbus!;
  const readAddr = s.master.points.find((p) => p.table === 'holding')?.address ?? 0;
  const modbus = [];
  for (const rate of cfg.modbusRates) {
    const r = await runModbusStorm({ url: mb.tcp!, unitId: mb.unitId, ratePerSec: rate, durationMs: cfg.stepMs, connections: cfg.connections, address: readAddr, signal: scene.signal });
    step(`modbus storm ${rate} req/s: sent ${r.sent} (${r.achievedRate}/s), verified ${r.verifiedResponses} (${r.verifiedRate}/s)`, { storm: 'modbus', ...r });
    modbus.push(r);
  }
  f.measure('modbusStorm.requestedRates', modbus.map((r) => r.requestedRate), { unit: 'req/s' });
  f.measure('modbusStorm.achievedRates', modbus.map((r) => r.achievedRate), { unit: 'req/s' });
  f.measure('modbusStorm.verifiedRates', modbus.map((r) => r.verifiedRate), { unit: 'resp/s' });
  f.measure('modbusStorm.latencyP95Ms', modbus.map((r) => r.latencyP95Ms ?? -1), { unit: 'ms' });

  // 2. MQTT publish flood: idempotent commands.
  const mq = t.interfaces.mqtt;
  // The MQTT side's own admin (a console admin would get CONNACK 5).
  const admin = mq ? findAccount(scene.secrets, 'mqtt', 'mqtt', { role: 'admin' }).account : undefined;
  const cmdPoint = Object.entries(t.policy.points).find(([n, p]) => p.mqtt && s.master.commanded.has(n));
  if (mq && admin && cmdPoint && cfg.mqttRates.length) {
    const [name, p] = cmdPoint;
    const payload = mq.commandTemplate.replace('{point}', p.mqtt!.name).replace('{value}', JSON.stringify(s.master.commanded.get(name)));
    const mqtt = [];
    for (const rate of cfg.mqttRates) {
      const r = await runMqttStorm({ url: mq.url, username: admin.username, password: admin.password, protocolVersion: mq.protocolVersion, tls: mq.tls, topic: mq.topics.command, payload: () => payload, ratePerSec: rate, durationMs: cfg.stepMs, connectTimeoutMs: mq.timeoutMs, signal: scene.signal });
      step(`mqtt storm ${rate} msg/s: sent ${r.sent} (${r.achievedRate}/s), acked ${r.verifiedResponses} (${r.verifiedRate}/s)${r.connected ? '' : ` not connected: ${r.errors.join('; ')}`}`, { storm: 'mqtt', ...r });
      mqtt.push(r);
    }
    f.measure('mqttStorm.requestedRates', mqtt.map((r) => r.requestedRate), { unit: 'msg/s' });
    f.measure('mqttStorm.achievedRates', mqtt.map((r) => r.achievedRate), { unit: 'msg/s' });
    f.measure('mqttStorm.verifiedRates', mqtt.map((r) => r.verifiedRate), { unit: 'ack/s' });
  } else f.note('MQTT publish flood skipped: no MQTT interface, admin account or MQTT-mapped commanded point');

  // 3. Connection flood on every declared open TCP port (bounded count per port).
  if (cfg.connectionFlood > 0) {
    const host = t.interfaces.network?.host ?? parseTcpUrl(mb.tcp!).host;
    // On a shared host only the device's own port range is fair game (another program may own a declared port).
    const range = t.interfaces.network ? parsePorts(t.interfaces.network.tcpRange) : undefined;
    const ports = [...new Set(t.policy.ports.tcp)].filter((p) => !range || range.includes(p));
    const floods = [];
    for (const port of ports) {
      const r = await runConnectionFlood({ host, port, count: cfg.connectionFlood, signal: scene.signal });
      step(`connection flood ${host}:${port}: ${r.accepted}/${r.attempted} accepted, ${r.refused} refused, ${r.droppedByPeer} dropped, ${r.timeouts} timed out (${r.achievedRate} conn/s)`, { storm: 'connections', ...r });
      floods.push(r);
    }
    f.measure('connectionFlood.ports', floods.map((r) => r.port));
    f.measure('connectionFlood.achievedRates', floods.map((r) => r.achievedRate), { unit: 'conn/s' });
    f.measure('connectionFlood.accepted', floods.map((r) => r.accepted));
  }
  return f;
}

/** After the storm the device must answer a valid request again without a power cycle; the value says whether it does. */
export function answersAfterStorm(after: Record<string, unknown>, out?: Findings): Judgement<boolean> {
  const f = new Findings(out);
  const dead = Object.entries(after).filter(([, v]) => v === null).map(([k]) => k);
  f.check('device answers valid requests after the storm', { expected: 'every declared point readable', actual: after, passed: dead.length === 0, reason: `the main Modbus interface stopped answering after the storm (${dead.join(', ')}): a hang that needs a power cycle` });
  return f.with(dead.length === 0);
}
