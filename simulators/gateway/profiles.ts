// The three named security profiles as complete SimConfig presets. Each switch in `weak` is the
// opposite of `hardened`, so every check can be shown to pass on one and fail on the other.
import type { SimConfig, SimParams, SimProfileName } from './sim-config.ts';

export const DEFAULT_ADMIN_PASSWORD = 'Adm1n!Sim-Hardened-2026';
export const DEFAULT_OPERATOR_PASSWORD = 'Op3r!Sim-Hardened-2026';
/**
 * Account names per account database: the console's (serial line and TCP port) and the one MQTT
 * and OPC UA share. Deliberately neither 'admin' nor 'operator', and different on each side, so
 * nothing in a scenario can lean on a name: targets/sim-*.yaml declare them per interface.
 */
export const SIM_ACCOUNT_NAMES = {
  console: { admin: 'sysop', operator: 'fieldtech' },
  network: { admin: 'scada', operator: 'hmi' },
} as const;
/** The vendor default credential governed by the `defaultCredential` switch (in both databases). */
export const VENDOR_DEFAULT = { username: 'admin', password: 'admin' } as const;

function accounts(): SimConfig['accounts'] {
  // Read at resolve time so a test or CI job can inject secrets through the environment.
  return {
    adminPassword: process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD,
    operatorPassword: process.env.HIL_SIM_OPERATOR_PASSWORD || DEFAULT_OPERATOR_PASSWORD,
  };
}

const baseParams: SimParams = {
  lockoutThreshold: 3,
  lockoutDurationMs: 4000,
  idleTimeoutMs: 3000,
  watchdogMs: 1000,
  heartbeatPeriodMs: 100,
  telemetryPeriodMs: 500,
  temperatureTimeConstantMs: 5000,
  ambientTemperature: 20,
  deviceId: 'gw-sim-01',
  safeValues: { heaterEnable: false, heaterSetpoint: 0, valvePosition: 0, pumpOn: false },
  lockMessage: 'Too many failed logins: account suspended',
  banner: 'GW-SIM industrial gateway (simulated) - authorized use only',
  consoleEcho: true,
  passwordMinLength: 12,
  passwordHistory: 3,
  externalReconnect: { mode: 'backoff', initialMs: 500, maxMs: 8000 },
  hostileSeed: 1,
  stormStallRate: 300,
  inputHangMs: 3000,
};

function hardened(): SimConfig {
  return {
    profile: 'hardened',
    switches: {
      defaultCredential: 'absent',
      passwordPolicy: true,
      lockout: true,
      idleTimeout: true,
      debugShell: false,
      mqttAnonymous: false,
      mqttAcl: true,
      mqttTls: true,
      opcuaAnonymous: false,
      opcuaSecurityNone: false,
      rangeCheck: { modbus: 'reject', mqtt: 'reject', opcua: 'reject', console: 'reject' },
      safeStateOnCommLoss: 'safe',
      alerts: true,
      privilegeSeparation: true,
      consoleLoginRequired: true,
      hostile: false,
      stormResilience: true,
      inputValidation: true,
      fc16BypassesRangeCheck: false,
      mqttSilentOutOfRange: false,
      mqttAnonymousCanCommand: false,
      lockoutCounterPerConnection: false,
      lockExtendedByAttempts: false,
      lockoutPerSource: false,
      consoleEndpointsSeparateCounters: false,
    },
    params: structuredClone(baseParams),
    ports: {},
    accounts: accounts(),
  };
}

function weak(): SimConfig {
  return {
    profile: 'weak',
    switches: {
      defaultCredential: 'accepted',
      passwordPolicy: false,
      lockout: false,
      idleTimeout: false,
      debugShell: true,
      mqttAnonymous: true,
      mqttAcl: false,
      mqttTls: false,
      opcuaAnonymous: true,
      opcuaSecurityNone: true,
      rangeCheck: { modbus: 'accept', mqtt: 'accept', opcua: 'accept', console: 'accept' },
      safeStateOnCommLoss: 'hold',
      alerts: false,
      privilegeSeparation: false,
      // Kept on so login-based checks (lockout, default credential) have a prompt to fail
      // against; the unauthenticated shell of the weak profile is the debug port.
      consoleLoginRequired: true,
      hostile: false,
      stormResilience: false,
      inputValidation: false,
      fc16BypassesRangeCheck: true,
      mqttSilentOutOfRange: true,
      mqttAnonymousCanCommand: true,
      lockoutCounterPerConnection: true,
      lockExtendedByAttempts: true,
      lockoutPerSource: true,
      consoleEndpointsSeparateCounters: true,
    },
    params: { ...structuredClone(baseParams), idleTimeoutMs: 0, externalReconnect: { mode: 'fixed', initialMs: 50, maxMs: 50 } },
    ports: {},
    accounts: accounts(),
  };
}

function hostile(): SimConfig {
  // Security switches as in hardened; the `hostile` switch replaces the servers by misbehaving ones.
  const h = hardened();
  return { ...h, profile: 'hostile', switches: { ...h.switches, mqttTls: false, hostile: true } };
}

/** A fresh copy of a profile preset (callers may mutate it). */
export function profilePreset(name: SimProfileName): SimConfig {
  switch (name) {
    case 'hardened': return hardened();
    case 'weak': return weak();
    case 'hostile': return hostile();
  }
}

export const PROFILE_PRESETS: Readonly<Record<SimProfileName, SimConfig>> = Object.freeze({
  hardened: hardened(),
  weak: weak(),
  hostile: hostile(),
});

/** Fixed CLI port bases so a static target YAML can point at a simulator started by `hil sim`. */
export const CLI_PORT_BASES: Readonly<Record<SimProfileName, number>> = { hardened: 15000, weak: 16000, hostile: 17000 };
export const CLI_PORT_OFFSETS = { console: 23, modbusTcp: 502, mqtt: 883, opcua: 840, fieldMonitor: 602, debug: 323 } as const;
