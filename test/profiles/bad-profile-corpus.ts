// A well-formed profile of a gateway at 127.0.0.1:<port> and the ways a lab gets one wrong: each
// case changes one thing and names the field path the refusal must point at.
import YAML from 'yaml';

export const CORPUS_ENV = { HIL_PC_ADMIN: 'Corpus-Admin-9a#', HIL_PC_OPER: 'Corpus-Oper-8b#' };

/** Every address of the profile is `port` on loopback, where the test's listener counts connections. */
export function goodProfile(port: number): Record<string, any> {
  const at = `127.0.0.1:${port}`;
  return {
    name: 'corpus-gw',
    identity: { vendor: 'Corpus', model: 'GW-1', firmware: '1.0.0', serial: 'C-1' },
    allowStateChanges: true,
    interfaces: {
      console: {
        connect: `tcp://${at}`,
        prompts: { login: 'login:\\s*$', password: 'Password:\\s*$', shell: 'gw[>#]\\s*$', failure: 'Login incorrect', locked: 'locked' },
        commands: { status: 'show status' },
        responses: { statusOk: 'heaterSetpoint', rejected: '^Error' },
        timeoutMs: 3000,
        timeouts: { verdict: 4000 },
        endpoints: { tcp: { connect: `tcp://${at}`, sharesAccounts: true } },
      },
      modbus: { tcp: `tcp://${at}`, unitId: 1, timeoutMs: 1000 },
      mqtt: { url: `mqtt://${at}`, plaintextUrl: `mqtt://${at}`, topics: { telemetry: 'gw/t', command: 'gw/c', status: 'gw/s', alert: 'gw/a' }, timeoutMs: 3000 },
      opcua: { endpoint: `opc.tcp://${at}/UA/Gateway`, timeoutMs: 8000 },
      network: { host: '127.0.0.1', tcpRange: `${port}-${port}`, udpPorts: [] },
    },
    credentials: { defaults: [{ username: 'admin', password: 'admin', source: 'vendor manual' }] },
    accounts: [
      { username: 'sysop', password: { env: 'HIL_PC_ADMIN' }, role: 'admin', interfaces: ['console'] },
      { username: 'tech', password: { env: 'HIL_PC_OPER' }, role: 'maintenance', interfaces: ['console', 'console-tcp'] },
      { username: 'scada', password: { env: 'HIL_PC_ADMIN' }, role: 'admin', interfaces: ['mqtt', 'opcua'] },
      { username: 'hmi', password: { env: 'HIL_PC_OPER' }, role: 'viewer', interfaces: ['mqtt'] },
    ],
    roles: {
      maintenance: { console: { commands: ['show *', 'logout'] } },
      viewer: { mqtt: { read: ['gw/t', 'gw/a'], write: [] } },
    },
    policy: {
      lockout: { threshold: 3, durationMs: 4000, interfaces: ['console', 'mqtt'], toleranceMs: 1500 },
      idleTimeoutMs: 3000,
      ports: { tcp: [port] },
      points: {
        heaterSetpoint: {
          min: 0,
          max: 80,
          reaction: { default: 'reject', modbusFc16: 'clamp' },
          modbus: { table: 'holding', address: 0, scale: 0.1 },
          mqtt: { name: 'heaterSetpoint' },
          monitor: 'heaterOutput',
          monitorRelation: { kind: 'calibration', scale: 1.25, offset: 0, outMin: 0, outMax: 100 },
        },
        valvePosition: { min: 0, max: 100, modbus: { table: 'holding', address: 1 }, monitor: 'valve', monitorRelation: { kind: 'bound', min: 0, max: 100 } },
      },
      safeState: {
        watchdogMs: 1000,
        reactionMs: 1500,
        recoveryMs: 1500,
        outputs: [{ point: 'heaterOutput', safeValue: 0 }],
        heartbeat: { point: 'heartbeat', periodMs: 100, jitterToleranceMs: 60 },
      },
      alerts: { mqttTopic: 'gw/a', payloadKey: 'event', match: 'lock' },
    },
    monitor: {
      modbusTcp: `tcp://${at}`,
      points: { heaterOutput: { address: 0 }, valve: { address: 1 }, heartbeat: { address: 3 } },
    },
    faults: { storm: { modbusRates: [200, 500] } },
  };
}

export interface BadCase {
  name: string;
  /** Changes the good profile (an object) … */
  edit?: (p: Record<string, any>) => void;
  /** … or its YAML text, for what an object cannot carry (prototype keys). */
  text?: (yaml: string) => string;
  /** The field path the message must name. */
  field: string;
  /** What the message must say was expected (or wrong). */
  says: RegExp;
}

const pt = (p: Record<string, any>) => p.policy.points.heaterSetpoint;

export const BAD_CASES: BadCase[] = [
  // references that do not resolve
  { name: 'point-monitor-undefined', edit: (p) => (pt(p).monitor = 'heaterOut'), field: 'policy.points.heaterSetpoint.monitor', says: /monitor point "heaterOut" is not defined/ },
  { name: 'monitor-missing', edit: (p) => delete p.monitor, field: 'policy.points.heaterSetpoint.monitor', says: /declares no monitor/ },
  { name: 'safe-output-undefined', edit: (p) => (p.policy.safeState.outputs[0].point = 'heater'), field: 'policy.safeState.outputs.0.point', says: /expected one of monitor\.points/ },
  { name: 'heartbeat-undefined', edit: (p) => (p.policy.safeState.heartbeat.point = 'hb'), field: 'policy.safeState.heartbeat.point', says: /"hb" is not defined/ },
  { name: 'lockout-unknown-interface', edit: (p) => p.policy.lockout.interfaces.push('telnet'), field: 'policy.lockout.interfaces.2', says: /"telnet" is not an interface of this profile/ },
  { name: 'lockout-on-modbus', edit: (p) => (p.policy.lockout.interfaces = ['modbus']), field: 'policy.lockout.interfaces.0', says: /has no logins/ },
  { name: 'lockout-unknown-endpoint', edit: (p) => (p.policy.lockout.interfaces = ['console-serial2']), field: 'policy.lockout.interfaces.0', says: /not an interface of this profile/ },
  // lockout walks declared concurrent: only lockout interfaces, each once, shared counters together
  { name: 'lockout-groups-split-shared', edit: (p) => (p.policy.lockout.independentCounters = [['console'], ['console-tcp', 'mqtt']]), field: 'policy.lockout.independentCounters', says: /share accounts .* same group/ },
  { name: 'lockout-groups-no-logins', edit: (p) => (p.policy.lockout.independentCounters = [['console', 'console-tcp'], ['modbus-tcp']]), field: 'policy.lockout.independentCounters.1.0', says: /"modbus-tcp" is not a login interface/ },
  { name: 'lockout-groups-not-locked', edit: (p) => (p.policy.lockout.independentCounters = [['console', 'console-tcp'], ['opcua']]), field: 'policy.lockout.independentCounters.1.0', says: /not covered by the lock/ },
  { name: 'lockout-groups-twice', edit: (p) => (p.policy.lockout.independentCounters = [['console', 'console-tcp', 'mqtt'], ['mqtt']]), field: 'policy.lockout.independentCounters.1.0', says: /already in group 0/ },
  { name: 'idle-sessions-not-boolean', edit: (p) => (p.policy.independentIdleSessions = 'yes'), field: 'policy.independentIdleSessions', says: /expected boolean/ },
  { name: 'alert-without-mqtt', edit: (p) => { delete p.interfaces.mqtt; p.accounts = p.accounts.filter((a: { interfaces: string[] }) => a.interfaces.includes('console')); p.policy.lockout.interfaces = ['console']; }, field: 'policy.alerts.mqttTopic', says: /no interfaces\.mqtt/ },
  { name: 'account-role-undefined', edit: (p) => (p.accounts[1].role = 'maintainer'), field: 'accounts.1.role', says: /role "maintainer" is not defined/ },
  { name: 'account-interface-unknown', edit: (p) => (p.accounts[0].interfaces = ['ssh']), field: 'accounts.0.interfaces.0', says: /"ssh" is not an interface/ },
  { name: 'account-interface-no-logins', edit: (p) => (p.accounts[3].interfaces = ['network']), field: 'accounts.3.interfaces.0', says: /has no logins/ },
  // ports, also inside URLs
  { name: 'modbus-url-port', edit: (p) => (p.interfaces.modbus.tcp = 'tcp://127.0.0.1:70000'), field: 'interfaces.modbus.tcp', says: /port 70000 .*expected 1–65535/ },
  { name: 'mqtt-url-port', edit: (p) => (p.interfaces.mqtt.url = 'mqtt://127.0.0.1:70000'), field: 'interfaces.mqtt.url', says: /expected 1–65535/ },
  { name: 'mqtt-plaintext-port-0', edit: (p) => (p.interfaces.mqtt.plaintextUrl = 'mqtt://127.0.0.1:0'), field: 'interfaces.mqtt.plaintextUrl', says: /port 0 .* out of range/ },
  { name: 'opcua-endpoint-port', edit: (p) => (p.interfaces.opcua.endpoint = 'opc.tcp://127.0.0.1:0/UA/Gateway'), field: 'interfaces.opcua.endpoint', says: /expected 1–65535/ },
  { name: 'monitor-url-port', edit: (p) => (p.monitor.modbusTcp = 'tcp://127.0.0.1:99999'), field: 'monitor.modbusTcp', says: /port 99999/ },
  { name: 'console-url-port', edit: (p) => (p.interfaces.console.connect = 'tcp://127.0.0.1:65536'), field: 'interfaces.console.connect', says: /port 65536/ },
  { name: 'console-endpoint-port', edit: (p) => (p.interfaces.console.endpoints.tcp.connect = 'tcp://127.0.0.1:123456'), field: 'interfaces.console.endpoints.tcp.connect', says: /port 123456/ },
  { name: 'fault-proxy-port', edit: (p) => (p.faults.upstream = { target: 'tcp://127.0.0.1:1883', proxyListen: 'tcp://127.0.0.1:0' }), field: 'faults.upstream.proxyListen', says: /port 0/ },
  { name: 'allowlist-port', edit: (p) => p.policy.ports.tcp.push(70000), field: 'policy.ports.tcp.1', says: /65535/ },
  { name: 'udp-port-0', edit: (p) => (p.interfaces.network.udpPorts = [0]), field: 'interfaces.network.udpPorts.0', says: /1/ },
  { name: 'tcp-range-reversed', edit: (p) => (p.interfaces.network.tcpRange = '2000-1000'), field: 'interfaces.network.tcpRange', says: /expected the first port ≤ the last/ },
  { name: 'tcp-range-too-wide', edit: (p) => (p.interfaces.network.tcpRange = '0-70000'), field: 'interfaces.network.tcpRange', says: /within 1–65535/ },
  // ordered ranges
  { name: 'point-min-above-max', edit: (p) => Object.assign(pt(p), { min: 90, max: 80 }), field: 'policy.points.heaterSetpoint', says: /min 90 is above max 80 \(expected min ≤ max\)/ },
  { name: 'point-min-above-max-from-env', edit: (p) => (pt(p).min = '${HIL_PC_UNSET_MIN:-95}'), field: 'policy.points.heaterSetpoint', says: /min 95 is above max 80/ },
  { name: 'calibration-out-reversed', edit: (p) => Object.assign(pt(p).monitorRelation, { outMin: 100, outMax: 0 }), field: 'policy.points.heaterSetpoint.monitorRelation', says: /outMin 100 is above outMax 0/ },
  { name: 'bound-reversed', edit: (p) => Object.assign(p.policy.points.valvePosition.monitorRelation, { min: 50, max: 10 }), field: 'policy.points.valvePosition.monitorRelation', says: /min 50 is above max 10/ },
  { name: 'storm-rates-not-increasing', edit: (p) => (p.faults.storm.modbusRates = [500, 200]), field: 'faults.storm.modbusRates.1', says: /expected increasing rates/ },
  // bounded waits
  { name: 'console-timeout-1e12', edit: (p) => (p.interfaces.console.timeoutMs = 1e12), field: 'interfaces.console.timeoutMs', says: /expected at most 3600000 ms/ },
  { name: 'console-step-timeout', edit: (p) => (p.interfaces.console.timeouts.verdict = 1e10), field: 'interfaces.console.timeouts.verdict', says: /at most 3600000 ms/ },
  { name: 'modbus-timeout', edit: (p) => (p.interfaces.modbus.timeoutMs = 3_600_001), field: 'interfaces.modbus.timeoutMs', says: /at most 3600000 ms/ },
  { name: 'opcua-timeout-from-env', edit: (p) => (p.interfaces.opcua.timeoutMs = '${HIL_PC_UNSET_T:-99999999}'), field: 'interfaces.opcua.timeoutMs', says: /99999999 ms/ },
  { name: 'lockout-duration', edit: (p) => (p.policy.lockout.durationMs = 1e9), field: 'policy.lockout.durationMs', says: /at most 3600000 ms/ },
  { name: 'watchdog', edit: (p) => (p.policy.safeState.watchdogMs = 1e8), field: 'policy.safeState.watchdogMs', says: /1 h/ },
  { name: 'hooks-timeout', edit: (p) => (p.hooks = { powerCycle: 'true', timeoutMs: 1e9 }), field: 'hooks.timeoutMs', says: /at most 3600000 ms/ },
  // prototype keys, refused (YAML keeps them as keys; a zod record would drop them silently)
  { name: 'proto-under-points', text: (y) => y.replace('  points:\n', '  points:\n    __proto__:\n      min: 0\n'), field: 'policy.points.__proto__', says: /"__proto__" is not allowed/ },
  { name: 'proto-at-root', text: (y) => `__proto__:\n  allowStateChanges: true\n${y}`, field: '__proto__', says: /not allowed/ },
  { name: 'proto-under-roles', text: (y) => y.replace('roles:\n', 'roles:\n  __proto__: { admin: true }\n'), field: 'roles.__proto__', says: /not allowed/ },
  { name: 'constructor-under-console', text: (y) => y.replace('  console:\n', '  console:\n    constructor: x\n'), field: 'interfaces.console.constructor', says: /"constructor" is not allowed/ },
  { name: 'proto-under-monitor-points', text: (y) => y.replace('  points:\n    heaterOutput', '  points:\n    __proto__: { address: 9 }\n    heaterOutput'), field: 'monitor.points.__proto__', says: /not allowed/ },
  // unknown keys at every depth
  { name: 'unknown-root-key', edit: (p) => (p.interfacez = {}), field: '(root)', says: /unknown field\(s\) "interfacez"/ },
  { name: 'unknown-deep-key', edit: (p) => (pt(p).modbus.adress = 3), field: 'policy.points.heaterSetpoint.modbus', says: /unknown field\(s\) "adress"/ },
  { name: 'unknown-role-permission-key', edit: (p) => (p.roles.viewer.mqtt.reed = ['#']), field: 'roles.viewer.mqtt', says: /unknown field\(s\) "reed"/ },
  { name: 'unknown-account-key', edit: (p) => (p.accounts[0].pasword = 'x'), field: 'accounts.0', says: /unknown field\(s\) "pasword"/ },
  { name: 'unknown-relation-key', edit: (p) => (pt(p).monitorRelation.gain = 2), field: 'policy.points.heaterSetpoint.monitorRelation', says: /unknown field\(s\) "gain"|gain/ },
  { name: 'unknown-interface', edit: (p) => (p.interfaces.modbuss = { tcp: 'tcp://127.0.0.1:502' }), field: 'interfaces.modbuss', says: /unknown interface "modbuss"/ },
  // malformed values
  { name: 'unit-id', edit: (p) => (p.interfaces.modbus.unitId = 300), field: 'interfaces.modbus.unitId', says: /247/ },
  { name: 'threshold-zero', edit: (p) => (p.policy.lockout.threshold = 0), field: 'policy.lockout.threshold', says: /0/ },
  { name: 'timeout-not-a-number', edit: (p) => (p.interfaces.mqtt.timeoutMs = 'fast'), field: 'interfaces.mqtt.timeoutMs', says: /number/ },
  { name: 'identity-without-firmware', edit: (p) => delete p.identity.firmware, field: 'identity.firmware', says: /string/ },
  { name: 'prompt-not-a-regex', edit: (p) => (p.interfaces.console.prompts.login = 'login:('), field: 'interfaces.console.prompts.login', says: /valid regular expression/ },
  { name: 'monitor-address', edit: (p) => (p.monitor.points.valve.address = 70000), field: 'monitor.points.valve.address', says: /65535/ },
];

export function caseYaml(c: BadCase, port: number): string {
  const p = goodProfile(port);
  c.edit?.(p);
  const y = YAML.stringify(p);
  return c.text ? c.text(y) : y;
}
