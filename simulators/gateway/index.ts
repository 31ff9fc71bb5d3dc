// The simulated gateway: starts every interface over one process model and one account store,
// reports the endpoints, and stops everything (sockets, timers, socat children) on stop().
import { mkdirSync, rmdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountStore } from './account-store.ts';
import { AlertSink } from './alerts.ts';
import { closeSerial, openSimSerial, startConsoleServer } from './console-server.ts';
import { startDebugShell } from './debug-shell.ts';
import { startFieldMonitor } from './field-monitor.ts';
import { hostileConsoleTcp, hostileModbusTcp, hostileMqtt, hostileSerialFlood, hostileSerialGarbage, hostileSilent } from './hostile-servers.ts';
import { mainModbusVector, startModbusRtu, startModbusTcp } from './modbus-servers.ts';
import { startExternalMqtt, type ExternalMqttLink } from './mqtt-external.ts';
import { startMqttGateway } from './mqtt-gateway.ts';
import { tcpUrl } from './net-listen.ts';
import { ProcessModel } from './process-model.ts';
import { CLI_PORT_BASES, CLI_PORT_OFFSETS, profilePreset } from './profiles.ts';
import { openPtyPair, socatAvailable } from './pty-pair.ts';
import { loadSimConfigFile, resolveSimConfig, type SimConfig, type SimConfigOverrides, type SimPortName, type SimProfileName } from './sim-config.ts';
import { makeSelfSignedCert } from './tls-cert.ts';

export type { SimProfileName, SimConfig, SimConfigOverrides } from './sim-config.ts';
export { loadSimConfigFile, resolveSimConfig, SimConfigSchema, SimConfigOverridesSchema } from './sim-config.ts';
export { PROFILE_PRESETS, profilePreset, CLI_PORT_BASES, CLI_PORT_OFFSETS, VENDOR_DEFAULT, SIM_ACCOUNT_NAMES, DEFAULT_ADMIN_PASSWORD, DEFAULT_OPERATOR_PASSWORD } from './profiles.ts';
export { HR, COIL, IR, FIELD_IR, STATUS_BIT_SAFE_STATE } from './modbus-register-map.ts';
export { OPCUA_NODE_IDS } from './opcua-gateway.ts';
export { gatewayTopics } from './mqtt-topics.ts';
export { POINT_SPECS, WRITABLE_POINTS } from './points.ts';
export { socatAvailable } from './pty-pair.ts';

export interface SimEndpoints {
  profile: SimProfileName;
  host: string;
  /** `pty` is absent when socat is not installed (console over TCP only). */
  console: { pty?: string; tcp: string };
  modbusTcp: string;
  /** Absent when socat is not installed. */
  modbusRtu?: { pty: string; unitId: number; baudRate: number };
  mqtt: string;
  /** PEM file of the self-signed MQTT TLS certificate (only when the mqttTls switch is on). */
  mqttCaFile?: string;
  opcua?: string;
  fieldMonitor: string;
  debug?: string;
  tcpPorts: number[];
}

export interface StartOptions {
  profile: SimProfileName;
  config?: SimConfigOverrides;
  opcua?: boolean;
  host?: string;
  ports?: 'auto' | Partial<Record<SimPortName, number>>;
  ptyDir?: string;
  /** Serial console and Modbus RTU on socat ptys; default: when socat is installed. */
  ptys?: boolean;
  externalBrokerUrl?: string;
}

export interface Simulator {
  endpoints: SimEndpoints;
  config: SimConfig;
  stop(): Promise<void>;
  /** Introspection for tests and the demo. */
  model: ProcessModel;
  accounts: AccountStore;
  alerts: AlertSink;
  externalMqtt?: ExternalMqttLink;
  /** PIDs of the socat children (gone after stop()). */
  socatPids: number[];
}

const RTU_BAUD = 19200;

export async function startSimulator(opts: StartOptions): Promise<Simulator> {
  const config = resolveSimConfig(profilePreset(opts.profile), opts.config);
  const host = opts.host ?? '127.0.0.1';
  const sw = config.switches;
  // Explicit start options beat the config file's ports; anything unset is picked free.
  const explicit = opts.ports && opts.ports !== 'auto' ? opts.ports : {};
  const portOf = (name: SimPortName): number | undefined => explicit[name] ?? config.ports[name];
  const ownPtyDir = !opts.ptyDir;
  const ptyDir = opts.ptyDir ?? (await mkdtemp(join(tmpdir(), 'hil-sim-')));
  mkdirSync(ptyDir, { recursive: true });

  const closers: (() => Promise<void> | void)[] = [];
  const socatPids: number[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    // Reverse order: servers before the ptys they sit on, ptys before the directory.
    for (const c of closers.reverse()) { try { await c(); } catch { /* keep closing the rest */ } }
    if (ownPtyDir) await rm(ptyDir, { recursive: true, force: true }).catch(() => {});
  })());

  const alerts = new AlertSink(sw.alerts);
  const accounts = new AccountStore(config, alerts);
  const model = new ProcessModel({
    params: config.params, safeValues: config.params.safeValues, safeStateOnCommLoss: sw.safeStateOnCommLoss,
    stormStallRate: sw.stormResilience ? undefined : config.params.stormStallRate,
  });
  model.on('safe-state', (active: boolean) => { if (active) alerts.raise({ event: 'safe-state', reason: 'comm-loss', mode: sw.safeStateOnCommLoss }); });
  model.start();
  closers.push(() => model.stop());
  const deps = { config, accounts, model, alerts };

  try {
    // Without socat (a machine where only `npm install` ran) the simulator still starts: console over
    // TCP only, no Modbus RTU. The caller is told through the endpoints (no pty paths).
    const withPtys = opts.ptys ?? socatAvailable();
    if (!withPtys && opts.ptys === undefined) process.stderr.write('hil sim: socat not found: console over TCP only, no Modbus RTU (install socat: npm run setup)\n');
    const consolePty = withPtys ? await openPtyPair(join(ptyDir, 'console.sim'), join(ptyDir, 'console')) : undefined;
    if (consolePty) closers.push(() => consolePty.close());
    const rtuPty = withPtys ? await openPtyPair(join(ptyDir, 'modbus-rtu.sim'), join(ptyDir, 'modbus-rtu')) : undefined;
    if (rtuPty) closers.push(() => rtuPty.close());
    if (consolePty && rtuPty) socatPids.push(consolePty.pid, rtuPty.pid);

    const wantOpcua = opts.opcua !== false;
    let consoleTcp: number, modbusTcp: number, mqttUrl: string, fieldPort: number;
    let opcuaUrl: string | undefined, opcuaPort: number | undefined, debugPort: number | undefined, mqttCaFile: string | undefined;

    if (sw.hostile) {
      const seed = config.params.hostileSeed;
      if (consolePty && rtuPty) {
        const serial = await openSimSerial(consolePty.simSide);
        const stopFlood = hostileSerialFlood(serial, seed);
        closers.push(async () => { stopFlood(); await closeSerial(serial); });
        const rtuSerial = await openSimSerial(rtuPty.simSide, RTU_BAUD);
        hostileSerialGarbage(rtuSerial, seed + 1);
        closers.push(() => closeSerial(rtuSerial));
      }
      const c = await hostileConsoleTcp(host, portOf('console') ?? 0, seed + 2); closers.push(() => c.close());
      const m = await hostileModbusTcp(host, portOf('modbusTcp') ?? 0, seed + 3); closers.push(() => m.close());
      const q = await hostileMqtt(host, portOf('mqtt') ?? 0, seed + 4); closers.push(() => q.close());
      const f = await hostileSilent(host, portOf('fieldMonitor') ?? 0); closers.push(() => f.close());
      consoleTcp = c.port; modbusTcp = m.port; mqttUrl = `mqtt://${host}:${q.port}`; fieldPort = f.port;
      if (wantOpcua) {
        const o = await hostileSilent(host, portOf('opcua') ?? 0); closers.push(() => o.close());
        opcuaPort = o.port; opcuaUrl = `opc.tcp://${host}:${o.port}/UA/Gateway`;
      }
    } else {
      // OPC UA takes seconds to come up; start it first and let the rest start meanwhile.
      const opcuaStarting = wantOpcua
        ? import('./opcua-gateway.ts').then((m) => m.startOpcuaGateway(deps, host, portOf('opcua')))
        : undefined;
      opcuaStarting?.then((o) => closers.push(() => o.close()), () => {});
      try {
        const cons = await startConsoleServer(deps, consolePty?.simSide, host, portOf('console') ?? 0);
        closers.push(() => cons.close());
        consoleTcp = cons.tcpPort;
        if (rtuPty) {
          const rtu = await startModbusRtu(mainModbusVector({ model, reaction: sw.rangeCheck.modbus, alerts, source: 'modbus-rtu', fc16Bypass: sw.fc16BypassesRangeCheck }), rtuPty.simSide, RTU_BAUD);
          closers.push(() => rtu.close());
        }
        const tcp = await startModbusTcp(mainModbusVector({ model, reaction: sw.rangeCheck.modbus, alerts, source: 'modbus-tcp', fc16Bypass: sw.fc16BypassesRangeCheck }), host, portOf('modbusTcp'));
        closers.push(() => tcp.close());
        modbusTcp = tcp.port;
        const field = await startFieldMonitor(model, host, portOf('fieldMonitor'));
        closers.push(() => field.close());
        fieldPort = field.port;
        let tls: { keyPem: string; certPem: string } | undefined;
        if (sw.mqttTls) {
          const cert = await makeSelfSignedCert(ptyDir, host);
          closers.push(() => cert.remove());
          tls = cert;
          mqttCaFile = cert.certFile;
        }
        const mq = await startMqttGateway(deps, host, portOf('mqtt') ?? 0, tls);
        closers.push(() => mq.close());
        mqttUrl = mq.url;
        if (sw.debugShell) {
          const dbg = await startDebugShell(deps, host, portOf('debug') ?? 0);
          closers.push(() => dbg.close());
          debugPort = dbg.port;
        }
      } finally {
        // Even on failure, wait for OPC UA so its closer is registered before stop() runs.
        await opcuaStarting?.catch(() => {});
      }
      if (opcuaStarting) {
        const o = await opcuaStarting;
        opcuaPort = o.port; opcuaUrl = o.url;
      }
    }

    let externalMqtt: ExternalMqttLink | undefined;
    if (opts.externalBrokerUrl && !sw.hostile) {
      externalMqtt = startExternalMqtt(opts.externalBrokerUrl, deps);
      closers.push(() => externalMqtt!.close());
    }

    const endpoints: SimEndpoints = {
      profile: opts.profile,
      host,
      console: { ...(consolePty ? { pty: consolePty.harnessSide } : {}), tcp: tcpUrl(host, consoleTcp) },
      modbusTcp: tcpUrl(host, modbusTcp),
      ...(rtuPty ? { modbusRtu: { pty: rtuPty.harnessSide, unitId: 1, baudRate: RTU_BAUD } } : {}),
      mqtt: mqttUrl,
      ...(mqttCaFile ? { mqttCaFile } : {}),
      ...(opcuaUrl ? { opcua: opcuaUrl } : {}),
      fieldMonitor: tcpUrl(host, fieldPort),
      ...(debugPort ? { debug: tcpUrl(host, debugPort) } : {}),
      tcpPorts: [consoleTcp, modbusTcp, Number(new URL(mqttUrl).port), ...(opcuaPort ? [opcuaPort] : []), fieldPort, ...(debugPort ? [debugPort] : [])],
    };
    return { endpoints, config, stop, model, accounts, alerts, externalMqtt, socatPids };
  } catch (e) {
    await stop();
    throw e;
  }
}


/** Fixed ports of `hil sim` so a static target YAML can point at them (see simulators/README.md). */
export function cliPorts(profile: SimProfileName, basePort = CLI_PORT_BASES[profile]): Record<SimPortName, number> {
  const o = CLI_PORT_OFFSETS;
  return {
    console: basePort + o.console, modbusTcp: basePort + o.modbusTcp, mqtt: basePort + o.mqtt,
    opcua: basePort + o.opcua, fieldMonitor: basePort + o.fieldMonitor, debug: basePort + o.debug,
  };
}

export async function runSimCli(argv: { profile: SimProfileName; config?: string; noOpcua?: boolean; host?: string; basePort?: number; ptyDir?: string; upstream?: string }): Promise<void> {
  const file = argv.config ? loadSimConfigFile(argv.config) : undefined;
  const { profile: fileProfile, ...overrides } = file ?? {};
  const profile = argv.profile ?? fileProfile ?? 'hardened';
  if (fileProfile && fileProfile !== profile) process.stderr.write(`hil sim: --profile ${profile} overrides profile ${fileProfile} of ${argv.config}\n`);
  // A fixed default so a static target YAML finds the ptys; --pty-dir for several simulators of one profile.
  const ptyDir = argv.ptyDir ?? `/tmp/hil-sim-${profile}`;
  const sim = await startSimulator({
    profile,
    config: overrides,
    opcua: !argv.noOpcua,
    host: argv.host,
    // The config file's ports win over the documented defaults.
    ports: { ...cliPorts(profile, argv.basePort), ...(overrides.ports ?? {}) },
    ptyDir,
    // --upstream: the gateway publishes to this broker too (the demo points it at the fault proxy).
    ...(argv.upstream ? { externalBrokerUrl: argv.upstream } : {}),
  });
  process.stdout.write(JSON.stringify({ ready: true, ...sim.endpoints }) + '\n');
  await new Promise<void>((resolve) => {
    const onSignal = () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); resolve(); };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await sim.stop();
  try { rmdirSync(ptyDir); } catch { /* not empty or already gone: leave it */ }
  process.exit(0);
}
