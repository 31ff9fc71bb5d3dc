import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { measurement } from '../../harness/core/measurement.js';
import type { Report, ScenarioResult } from '../../harness/core/result-schema.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { Redactor } from '../../harness/evidence/redactor.js';
import { sealEvidence } from '../../harness/evidence/seal-record.js';
import { evidencePointer, summarize } from '../../reports/runs/report-summary.js';
import { readEvidence } from '../../reports/runs/load-run.js';

/**
 * Builds run directories the way a run does: evidence through the real EvidenceLog (hash chain,
 * redaction), a report.json that matches ReportSchema. 'hardened' passes, 'weak' regresses.
 */
export type FixtureProfile = 'hardened' | 'weak';

export const FIXTURE_SECRET = 'Sup3r-S3cret-Adm1n!';

const CONSOLE = { proto: 'serial' as const, local: '/dev/ttyUSB0', remote: 'gateway-console' };
const MODBUS = { proto: 'tcp' as const, local: '127.0.0.1:40123', remote: '127.0.0.1:502' };
const MQTT = { proto: 'tcp' as const, local: '127.0.0.1:40124', remote: '127.0.0.1:1883' };

function mqttPacket(typeFlags: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from([typeFlags, ...len]), body]);
}
const mqttStr = (s: string) => {
  const b = Buffer.alloc(2 + Buffer.byteLength(s));
  b.writeUInt16BE(Buffer.byteLength(s), 0);
  b.write(s, 2);
  return b;
};
export const mqttConnect = (user: string, pass: string) =>
  mqttPacket(0x10, Buffer.concat([mqttStr('MQTT'), Buffer.from([4, 0xc2, 0, 30]), mqttStr('hil-probe'), mqttStr(user), mqttStr(pass)]));
export const mqttConnack = (code: number) => mqttPacket(0x20, Buffer.from([0, code]));
export const mqttSubscribe = (id: number, topic: string) => mqttPacket(0x82, Buffer.concat([Buffer.from([id >> 8, id & 255]), mqttStr(topic), Buffer.from([0])]));
export const mqttSuback = (id: number, code: number) => mqttPacket(0x90, Buffer.from([id >> 8, id & 255, code]));
export const mqttPublish = (topic: string, payload: string) => mqttPacket(0x30, Buffer.concat([mqttStr(topic), Buffer.from(payload)]));

export function mbap(tid: number, pdu: number[]): Buffer {
  const b = Buffer.alloc(7 + pdu.length);
  b.writeUInt16BE(tid, 0);
  b.writeUInt16BE(pdu.length + 1, 4);
  b[6] = 1;
  Buffer.from(pdu).copy(b, 7);
  return b;
}

function baseResult(id: string, title: string, requirements: string[], interfaces: string[]): ScenarioResult {
  return {
    scenarioId: id, title, verdict: 'PASS', requirements, measurements: [], assertions: [], reason: '',
    durationMs: 0, startedAt: new Date().toISOString(), interfaces, changesState: false,
  };
}

export interface FixtureOptions {
  profile: FixtureProfile;
  redactor?: Redactor;
  /** Stop before this scenario finishes (simulates a killed run: no verdict record, no report.json). */
  killDuring?: string;
  runId?: string;
  targetName?: string;
  /** Only these scenarios (a shard). */
  only?: string[];
}

export async function buildFixtureRun(dir: string, opts: FixtureOptions): Promise<{ report?: Report; log: EvidenceLog }> {
  const weak = opts.profile === 'weak';
  const runId = opts.runId ?? `run-${opts.profile}-${Date.now()}`;
  const log = new EvidenceLog(dir, runId, opts.redactor ?? new Redactor([FIXTURE_SECRET]));
  const startedAt = new Date().toISOString();
  const target = {
    name: opts.targetName ?? 'sim-gateway',
    identity: { vendor: 'ACME', model: 'GW-100', firmware: weak ? '2.0.0' : '1.9.3', serial: 'SN-0042' },
    profileDigest: 'a'.repeat(64),
  };
  const run = {
    id: runId, startedAt, harnessVersion: '0.1.0', libraries: { node: process.version, 'modbus-serial': '8.0.25', mqtt: '5.16.0' },
    host: { node: process.version, platform: process.platform, hostname: 'bench-1' },
  };
  const plan = opts.only ?? ['lockout-console', 'port-allowlist', 'modbus-range', 'mqtt-acl', 'opcua-security'];
  log.event('harness', 'run started', { run, target, plan });
  const results: ScenarioResult[] = [];

  const scenario = async (res: ScenarioResult, body: (r: ScenarioResult) => Promise<void>) => {
    log.scenario = res.scenarioId;
    const first = log.nextSeq;
    const t0 = performance.now();
    log.event('harness', `scenario ${res.scenarioId} started`, { scenarioInfo: { title: res.title, requirements: res.requirements, interfaces: res.interfaces } });
    await body(res);
    if (opts.killDuring === res.scenarioId) return false;
    res.durationMs = Math.round(performance.now() - t0);
    res.evidence = { firstSeq: first, lastSeq: log.nextSeq };
    log.append({ channel: 'harness', dir: 'verdict', text: `${res.scenarioId}: ${res.verdict}`, attrs: { result: res } });
    log.scenario = undefined;
    results.push(res);
    return true;
  };

  const steps: [ScenarioResult, (r: ScenarioResult) => Promise<void>][] = [
    [
      baseResult('lockout-console', 'Login-failure lockout on the serial console', ['CPSF:L2.007', 'IEC62443-4-2:CR1.11', 'EN303645:5.1-5', 'NISTIR8259A:LAI-3'], ['console']),
      async (r) => {
        log.append({ channel: 'console', protocol: 'console', dir: 'open', endpoints: CONSOLE, text: 'open /dev/ttyUSB0 115200 8N1' });
        const login = async (user: string, pass: string, ok: boolean) => {
          log.append({ channel: 'console', protocol: 'console', dir: 'rx', data: 'gw login: ', endpoints: CONSOLE });
          await sleep(2);
          log.append({ channel: 'console', protocol: 'console', dir: 'tx', data: `${user}\r\n`, endpoints: CONSOLE });
          log.append({ channel: 'console', protocol: 'console', dir: 'rx', data: 'Password: ', endpoints: CONSOLE });
          log.append({ channel: 'console', protocol: 'console', dir: 'tx', data: `${pass}\r\n`, endpoints: CONSOLE, attrs: { secretSent: pass } });
          await sleep(3);
          log.append({ channel: 'console', protocol: 'console', dir: 'rx', data: ok ? '\r\nBusyBox v1.36 built-in shell\r\n# ' : '\r\nLogin incorrect\r\n', endpoints: CONSOLE });
        };
        await login('admin', FIXTURE_SECRET, true);
        log.append({ channel: 'console', protocol: 'console', dir: 'tx', data: 'exit\r\n', endpoints: CONSOLE });
        for (let i = 0; i < 5; i++) await login('admin', `wrong-${i}`, false);
        await login('admin', FIXTURE_SECRET, weak);
        log.event('oracle', weak ? 'good credential accepted after 5 failures: no lockout' : 'good credential refused while locked', { attempts: 5 });
        r.measurements = [
          measurement('lockoutThreshold', weak ? null : 5, { unit: 'attempts', limits: { equals: 5 } }),
          measurement('lockoutDuration', weak ? 0 : 302.4, { unit: 's', limits: { min: 300, max: 330 } }),
        ];
        r.assertions = [
          { name: 'valid login works (positive control)', expected: 'shell prompt', actual: 'shell prompt', passed: true, iface: 'console' },
          { name: 'good credential refused after N failures', expected: 'rejected', actual: weak ? 'accepted' : 'rejected', passed: !weak, iface: 'console' },
        ];
        r.verdict = weak ? 'FAIL' : 'PASS';
        r.reason = weak ? 'the console accepted the valid password after 5 failed attempts: no lockout engaged' : 'lock engaged at attempt 5 and released after 302.4 s (declared 300 s)';
      },
    ],
    [
      baseResult('port-allowlist', 'Only declared ports are open', ['CPSF:L2.008', 'IEC62443-4-2:CR7.7', 'EN303645:5.6-1', 'NISTIR8259A:LAI-1'], ['network']),
      async (r) => {
        const open = weak ? [23, 502, 1883, 4840, 8080] : [502, 1883, 4840];
        for (const p of [22, 23, 502, 1883, 4840, 8080]) {
          const ep = { proto: 'tcp' as const, local: `127.0.0.1:${41000 + p}`, remote: `127.0.0.1:${p}` };
          log.append({ channel: 'probe', protocol: 'network', conn: `p${p}`, dir: open.includes(p) ? 'open' : 'error', endpoints: ep, text: open.includes(p) ? `tcp/${p} open` : `tcp/${p} closed (ECONNREFUSED)` });
          if (open.includes(p)) log.append({ channel: 'probe', protocol: 'network', conn: `p${p}`, dir: 'close', endpoints: ep });
          await sleep(1);
        }
        r.measurements = [measurement('openTcpPorts', open, { limits: { oneOf: [502, 1883, 4840] } })];
        r.measurements[0]!.passed = open.every((p) => [502, 1883, 4840].includes(p));
        r.assertions = [{ name: 'open ports within allowlist', expected: [502, 1883, 4840], actual: open, passed: !weak, iface: 'network' }];
        r.verdict = weak ? 'FAIL' : 'PASS';
        r.reason = weak ? 'ports 23 (telnet) and 8080 are open but not declared' : 'open ports match the declared allowlist';
      },
    ],
    [
      baseResult('modbus-range', 'Out-of-range Modbus write is rejected', ['CPSF:L2.021', 'IEC62443-4-2:CR3.5', 'IEC62443-4-2:CR3.6', 'EN303645:5.13-1', 'PlantIoT:2-3'], ['modbus']),
      async (r) => {
        // As evidence written before the typed field: the protocol only in attrs (still decoded).
        log.append({ channel: 'modbus-tcp', conn: 'c1', dir: 'open', endpoints: MODBUS, attrs: { protocol: 'modbus' } });
        const tx = (b: Buffer) => log.append({ channel: 'modbus-tcp', protocol: 'modbus', conn: 'c1', dir: 'tx', data: b, endpoints: MODBUS });
        const rx = (b: Buffer) => log.append({ channel: 'modbus-tcp', protocol: 'modbus', conn: 'c1', dir: 'rx', data: b, endpoints: MODBUS });
        tx(mbap(1, [6, 0, 10, 0x01, 0xf4])); // in-range control: 500
        await sleep(2);
        rx(mbap(1, [6, 0, 10, 0x01, 0xf4]));
        tx(mbap(2, [3, 0, 10, 0, 1]));
        rx(mbap(2, [3, 2, 0x01, 0xf4]));
        tx(mbap(3, [6, 0, 10, 0x13, 0x88])); // out of range: 5000
        await sleep(2);
        rx(weak ? mbap(3, [6, 0, 10, 0x13, 0x88]) : mbap(3, [0x86, 3]));
        tx(mbap(4, [3, 0, 10, 0, 1]));
        rx(mbap(4, [3, 2, ...(weak ? [0x13, 0x88] : [0x01, 0xf4])]));
        log.append({ channel: 'monitor', dir: 'sample', text: `field output ${weak ? 5000 : 500}`, attrs: { value: weak ? 5000 : 500 } });
        log.append({ channel: 'modbus-tcp', protocol: 'modbus', conn: 'c1', dir: 'close', endpoints: MODBUS });
        r.measurements = [measurement('setpointAfterWrite', weak ? 5000 : 500, { unit: 'rpm', limits: { min: 0, max: 1000 }, iface: 'modbus' })];
        r.assertions = [
          { name: 'in-range write takes effect (positive control)', expected: 500, actual: 500, passed: true, iface: 'modbus', evidence: [3] },
          { name: 'out-of-range write rejected', expected: 'exception 3 (Illegal Data Value)', actual: weak ? 'accepted (echo)' : 'exception 3 (Illegal Data Value)', passed: !weak, iface: 'modbus' },
        ];
        r.perInterface = { modbus: weak ? 'FAIL' : 'PASS' };
        r.verdict = weak ? 'FAIL' : 'PASS';
        r.reason = weak ? 'the value 5000 reached the process (read back 5000, field output 5000)' : 'out-of-range write answered with exception 3; read-back and field output unchanged';
      },
    ],
    [
      baseResult('mqtt-acl', 'MQTT rejects bad credentials and unauthorized topics', ['JSSEC:No.45', 'EN303645:5.5-1', 'IEC62443-4-2:CR2.1'], ['mqtt']),
      async (r) => {
        log.append({ channel: 'mqtt', protocol: 'mqtt', conn: 'm1', dir: 'open', endpoints: MQTT });
        const tx = (b: Buffer) => log.append({ channel: 'mqtt', protocol: 'mqtt', conn: 'm1', dir: 'tx', data: b, endpoints: MQTT });
        const rx = (b: Buffer) => log.append({ channel: 'mqtt', protocol: 'mqtt', conn: 'm1', dir: 'rx', data: b, endpoints: MQTT });
        tx(mqttConnect('operator', FIXTURE_SECRET));
        await sleep(2);
        rx(mqttConnack(0));
        tx(mqttSubscribe(1, 'plant/line1/#'));
        rx(mqttSuback(1, weak ? 0 : 0x80));
        tx(mqttPublish('plant/line1/setpoint', '{"rpm":500}'));
        log.append({ channel: 'mqtt', protocol: 'mqtt', conn: 'm1', dir: 'close', endpoints: MQTT });
        r.assertions = [{ name: 'unauthorized subscribe refused', expected: 'SUBACK 0x80', actual: weak ? 'granted qos 0' : 'SUBACK 0x80', passed: !weak, iface: 'mqtt' }];
        r.verdict = weak ? 'INCONCLUSIVE' : 'PASS';
        r.reason = weak ? 'subscription was granted but no message arrived within the window; delivery could not be decided' : 'subscription to an unauthorized topic refused with 0x80';
      },
    ],
    [
      baseResult('opcua-security', 'OPC UA rejects anonymous writes', ['IEC62443-4-2:CR2.1', 'EN303645:5.5-1'], ['opcua']),
      async (r) => {
        log.event('harness', 'target declares no OPC UA interface');
        r.verdict = 'NOT_APPLICABLE';
        r.reason = 'the target profile declares no OPC UA interface';
      },
    ],
  ];
  for (const [res, body] of steps) {
    if (opts.only && !opts.only.includes(res.scenarioId)) continue;
    if (!(await scenario(res, body))) return { log };
  }

  log.event('harness', 'run finished');
  log.attach('console-full.log', `admin login with ${FIXTURE_SECRET}\n`);
  // A complete run ends with its seal, as the runner writes it.
  sealEvidence(log);
  const { lines } = readEvidence(dir);
  const report: Report = {
    schemaVersion: 1,
    run: { ...run, finishedAt: new Date().toISOString() },
    target,
    results,
    summary: summarize(results),
    evidence: evidencePointer(lines),
  };
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  return { report, log };
}
