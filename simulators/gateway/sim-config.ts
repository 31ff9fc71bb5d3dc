// Configuration of the simulated gateway: every security measure is one switch, every
// number the tests tune is one param. Profiles (profiles.ts) are complete SimConfig presets;
// a config file or in-process overrides are deep-partial and merged over the chosen preset.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';

export const SIM_PROFILE_NAMES = ['hardened', 'weak', 'hostile'] as const;
export const SimProfileNameSchema = z.enum(SIM_PROFILE_NAMES);
export type SimProfileName = z.infer<typeof SimProfileNameSchema>;

/** How an interface reacts to a write outside the engineering range. */
export const RangeReactionSchema = z.enum(['reject', 'clamp', 'accept']);
export type RangeReaction = z.infer<typeof RangeReactionSchema>;

export const SwitchesSchema = z.strictObject({
  /** Vendor default admin/admin: never works, works only for changing the password, or works everywhere. */
  defaultCredential: z.enum(['absent', 'must-change', 'accepted']),
  passwordPolicy: z.boolean(),
  lockout: z.boolean(),
  idleTimeout: z.boolean(),
  /** Extra unauthenticated root shell on its own TCP port. */
  debugShell: z.boolean(),
  mqttAnonymous: z.boolean(),
  mqttAcl: z.boolean(),
  mqttTls: z.boolean(),
  opcuaAnonymous: z.boolean(),
  opcuaSecurityNone: z.boolean(),
  rangeCheck: z.strictObject({
    modbus: RangeReactionSchema,
    mqtt: RangeReactionSchema,
    opcua: RangeReactionSchema,
    console: RangeReactionSchema,
  }),
  /** 'hold': outputs keep their last value on watchdog expiry (the "outputsHoldOnWatchdog" weakness). */
  safeStateOnCommLoss: z.enum(['safe', 'hold']),
  alerts: z.boolean(),
  privilegeSeparation: z.boolean(),
  consoleLoginRequired: z.boolean(),
  /** Replace every interface by a misbehaving server (malformed frames, stalls, resets, noise). */
  hostile: z.boolean(),
  /**
   * The process keeps running under a request storm. Off: above `params.stormStallRate` master
   * requests per second the process starves (heartbeat and dynamics freeze) until the storm ends.
   */
  stormResilience: z.boolean(),
  /**
   * Malformed input is discarded. Off: binary noise on the console hangs the firmware (heartbeat
   * and dynamics freeze for `params.inputHangMs`), as a parser without bounds checks would.
   */
  inputValidation: z.boolean(),
  /** Lockout flaw: the failure counter lives in the connection (console session, MQTT CONNECT, OPC UA session) and is forgotten when it closes. */
  lockoutCounterPerConnection: z.boolean(),
  /** Lockout flaw: a wrong password tried while the account is locked restarts the lock. */
  lockExtendedByAttempts: z.boolean(),
  /** Lockout flaw: failures are counted and the lock is held per source address, not per account: every account from that source is locked. */
  lockoutPerSource: z.boolean(),
  /** Lockout flaw: the serial console and its TCP port count failures separately although they share the accounts. */
  consoleEndpointsSeparateCounters: z.boolean(),
  /**
   * The console drops the line after this many failed logins in one session, like `login`'s
   * "Maximum number of tries exceeded": the TCP connection closes, the serial line starts a new
   * session. A behaviour, not a flaw (the account lock must still hold). Absent: never.
   */
  consoleDropAfterFailures: z.number().int().min(1).optional(),
  /** Logout (or an idle logout) closes the console's TCP connection: a session per connection, like telnet or SSH. */
  consoleLogoutCloses: z.boolean().optional(),
  /** FC16 (write multiple registers) skips the range check that FC06 applies: a second write path left unguarded. */
  fc16BypassesRangeCheck: z.boolean(),
  /** MQTT commands out of range are applied and no status reply is sent (silent acceptance). */
  mqttSilentOutOfRange: z.boolean(),
  /** Anonymous MQTT clients connect and may publish commands (implies anonymous CONNECT accepted). */
  mqttAnonymousCanCommand: z.boolean(),
});
export type SimSwitches = z.infer<typeof SwitchesSchema>;

export const SafeValuesSchema = z.strictObject({
  heaterEnable: z.boolean(),
  heaterSetpoint: z.number(),
  valvePosition: z.number(),
  pumpOn: z.boolean(),
});
export type SafeValues = z.infer<typeof SafeValuesSchema>;

const ms = z.number().int().min(0);
const positiveMs = z.number().int().min(1);

export const ParamsSchema = z.strictObject({
  lockoutThreshold: z.number().int().min(1),
  lockoutDurationMs: positiveMs,
  idleTimeoutMs: ms,
  watchdogMs: positiveMs,
  heartbeatPeriodMs: positiveMs,
  telemetryPeriodMs: positiveMs,
  temperatureTimeConstantMs: positiveMs,
  ambientTemperature: z.number(),
  deviceId: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'deviceId must be a single MQTT topic level'),
  safeValues: SafeValuesSchema,
  /** Printed on the console when a locked account tries to log in. */
  lockMessage: z.string(),
  banner: z.string(),
  /** Echo typed characters on the console (like a getty on a raw terminal); the password is never echoed. */
  consoleEcho: z.boolean(),
  passwordMinLength: z.number().int().min(1),
  passwordHistory: z.number().int().min(0),
  /** External-broker client reconnect: exponential back-off or a fixed-period storm. */
  externalReconnect: z.strictObject({
    mode: z.enum(['backoff', 'fixed']),
    initialMs: positiveMs,
    maxMs: positiveMs,
  }),
  /** Seed of the hostile servers' misbehaviour, so a failing run can be replayed. */
  hostileSeed: z.number().int(),
  /** Master requests per second above which a process without stormResilience starves. */
  stormStallRate: z.number().int().min(1),
  /** How long binary noise on the console hangs a process without inputValidation. */
  inputHangMs: z.number().int().min(1),
});
export type SimParams = z.infer<typeof ParamsSchema>;

const port = z.number().int().min(1).max(65535);
export const PortsSchema = z.strictObject({
  console: port.optional(),
  modbusTcp: port.optional(),
  mqtt: port.optional(),
  opcua: port.optional(),
  fieldMonitor: port.optional(),
  debug: port.optional(),
});
export type SimPorts = z.infer<typeof PortsSchema>;
export type SimPortName = keyof SimPorts;

export const AccountsSchema = z.strictObject({
  adminPassword: z.string().min(1),
  operatorPassword: z.string().min(1),
});
export type SimAccounts = z.infer<typeof AccountsSchema>;

export const SimConfigSchema = z.strictObject({
  profile: SimProfileNameSchema,
  switches: SwitchesSchema,
  params: ParamsSchema,
  ports: PortsSchema,
  accounts: AccountsSchema,
});
export type SimConfig = z.infer<typeof SimConfigSchema>;

/** Deep-partial overrides: the shape of a config file (plus an optional starting profile). */
export const SimConfigOverridesSchema = z.strictObject({
  profile: SimProfileNameSchema.optional(),
  switches: SwitchesSchema.extend({ rangeCheck: SwitchesSchema.shape.rangeCheck.partial() }).partial().optional(),
  params: ParamsSchema.extend({
    safeValues: SafeValuesSchema.partial(),
    externalReconnect: ParamsSchema.shape.externalReconnect.partial(),
  }).partial().optional(),
  ports: PortsSchema.optional(),
  accounts: AccountsSchema.partial().optional(),
});
export type SimConfigOverrides = Omit<z.infer<typeof SimConfigOverridesSchema>, 'profile'>;
export type SimConfigFile = z.infer<typeof SimConfigOverridesSchema>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Overrides win; nested objects merge key by key; undefined never erases a preset value. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k], v) : v;
  }
  return out as T;
}

export class SimConfigError extends Error {}

/** Validates overrides, merges them over the preset and validates the result. */
export function resolveSimConfig(preset: SimConfig, overrides?: unknown): SimConfig {
  const over = SimConfigOverridesSchema.safeParse(overrides ?? {});
  if (!over.success) throw new SimConfigError(`invalid simulator config:\n${z.prettifyError(over.error)}`);
  const { profile: _ignored, ...rest } = over.data;
  const merged = SimConfigSchema.safeParse(deepMerge(preset, rest));
  if (!merged.success) throw new SimConfigError(`invalid simulator config:\n${z.prettifyError(merged.error)}`);
  return merged.data;
}

/** Reads a YAML or JSON config file (JSON is YAML) and validates it; errors name the file and the field. */
export function loadSimConfigFile(path: string): SimConfigOverrides & { profile?: SimProfileName } {
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SimConfigError(`cannot read simulator config ${path}: ${(e as Error).message}`);
  }
  const parsed = SimConfigOverridesSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new SimConfigError(`invalid simulator config ${path}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
