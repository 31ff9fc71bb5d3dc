import { z } from 'zod';
import { IdentitySchema } from '../core/result-schema.js';
import { interfaceSchema } from './interface-schemas.js';
import { isValidPattern } from './pattern.js';
import { InterfaceAccount, Roles, SecretRef } from './account-schema.js';

/**
 * Target profile: everything device-specific. Scenarios read prompts, addresses, ranges and
 * declared policy from here and never assume the simulator's details.
 */

const Regex = z.string().min(1).refine(isValidPattern, 'must be a valid regular expression (optionally starting with (?i) or (?m))');

/** A number written as a string, as `${VAR:-5}` interpolation yields; anything else is left for the schema to refuse. */
const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;
/** Numbers may come from the environment: an interpolated numeric string is read as that number. */
function envNumber<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === 'string' && NUMERIC.test(v) ? Number(v) : v), schema);
}

/** A port number; strings are coerced so values interpolated from the environment work. */
const Port = envNumber(z.number().int().min(1).max(65535));

const TcpUrl = z.string().regex(/^tcp:\/\/[^:/]+:\d+$/, 'expected tcp://host:port');

export { SecretRef, InterfaceAccount, RolePermissions } from './account-schema.js';

/** The legacy single-account form (`credentials.admin`/`user`): one account on every login interface. */
export const Account = z
  .object({
    username: z.string().min(1),
    password: SecretRef,
    role: z.enum(['admin', 'user']),
  })
  .strict();
export type Account = z.infer<typeof Account>;

/** Well-known/vendor default credentials are public knowledge, so they may be written literally. */
export const DefaultCredential = z.object({ username: z.string(), password: z.string(), source: z.string().optional() }).strict();

/** Console session model, as the device's documentation declares it. */
export const ConsoleSession = z
  .object({
    /** per-connection: every connection is a new session (TCP, or a line that is reset); persistent: one session on a line that stays up. */
    model: z.enum(['per-connection', 'persistent']).default('persistent'),
    /** The device drops the line (or the connection) after this many failed logins in one session. */
    dropAfterFailures: envNumber(z.number().int().positive().optional()),
    /** Where a locked account's message appears: instead of the password prompt, or after the password. */
    lockMessage: z.enum(['before-password', 'after-password']).default('after-password'),
  })
  .strict();
export type ConsoleSession = z.infer<typeof ConsoleSession>;

/** A further endpoint of a console: where it is reached and whether it shares the main endpoint's accounts. */
export const ConsoleEndpoint = z
  .object({
    connect: z.string().min(1),
    baudRate: envNumber(z.number().int().positive().optional()),
    sharesAccounts: z.boolean().default(true),
    session: ConsoleSession.optional(),
  })
  .strict();
export type ConsoleEndpoint = z.infer<typeof ConsoleEndpoint>;

export const ConsoleInterface = z
  .object({
    /** Serial device path (/dev/ttyUSB0, a pty) or tcp://host:port of a serial device server. */
    connect: z.string().min(1),
    baudRate: envNumber(z.number().int().positive().default(115200)),
    /** Sent after every command line. */
    lineEnding: z.enum(['\r', '\n', '\r\n']).default('\r'),
    /** Sent to wake a silent console (some devices print nothing until a key arrives). */
    wakeup: z.string().default('\r'),
    prompts: z
      .object({
        login: Regex,
        password: Regex,
        shell: Regex,
        /** Optional distinct admin shell prompt. */
        adminShell: Regex.optional(),
        failure: Regex,
        locked: Regex.optional(),
        /** Printed when an idle session is ended. */
        idleLogout: Regex.optional(),
      })
      .strict(),
    commands: z
      .object({
        /** An authenticated-only command whose success proves a login worked. */
        status: z.string(),
        /** Template with {point} and {value}. */
        setPoint: z.string().optional(),
        /** Template with {old} and {new}. */
        changePassword: z.string().optional(),
        logout: z.string().default('logout'),
      })
      .strict(),
    responses: z
      .object({
        /** Output of a successful status command. */
        statusOk: Regex,
        /** A command was refused (range, syntax); needed only by console writes (range check, privilege). */
        rejected: Regex.optional(),
        permissionDenied: Regex.optional(),
        passwordChanged: Regex.optional(),
        /**
         * Template regex that finds a point's current value in the status command's output; `{point}`
         * is replaced by the point's console name (regex-escaped), group 1 is the number,
         * e.g. '{point}\s*[=:]\s*(-?[0-9.]+)'. Without it the console cannot read a value back.
         */
        pointValue: Regex.optional(),
      })
      .strict(),
    /** Per-operation deadline for prompt waits (the default of every step in `timeouts`). */
    timeoutMs: envNumber(z.number().int().positive().default(3000)),
    /**
     * Reply deadline per step where one differs (a 2.6 s failure delay should not inflate every
     * other wait): the login prompt, the password prompt, the verdict after the password (shell,
     * failure or lock), a command's output.
     */
    timeouts: z
      .object({
        login: envNumber(z.number().int().positive().optional()),
        password: envNumber(z.number().int().positive().optional()),
        verdict: envNumber(z.number().int().positive().optional()),
        command: envNumber(z.number().int().positive().optional()),
      })
      .strict()
      .optional(),
    /** How the console holds sessions: what a lockout walk and an idle check must expect. */
    session: ConsoleSession.optional(),
    /**
     * Further endpoints of the same console (a TCP port of the device next to its serial line).
     * Each is its own interface, `console-<key>` (e.g. `console-tcp`), with the prompts and
     * commands above; `sharesAccounts` says whether it uses the same account database (and so the
     * same lockout counters and passwords) as the main endpoint.
     */
    endpoints: z.record(z.string().regex(/^[a-z][a-z0-9]*$/, 'an endpoint key: lower-case letters and digits'), ConsoleEndpoint).default({}),
  })
  .strict();
export type ConsoleInterface = z.infer<typeof ConsoleInterface>;

export const ModbusInterface = z
  .object({
    tcp: TcpUrl.optional(),
    rtu: z
      .object({
        device: z.string(),
        baudRate: envNumber(z.number().int().positive().default(19200)),
        parity: z.enum(['none', 'even', 'odd']).default('none'),
        stopBits: envNumber(z.union([z.literal(1), z.literal(2)]).default(1)),
        dataBits: envNumber(z.union([z.literal(7), z.literal(8)]).default(8)),
      })
      .strict()
      .optional(),
    unitId: envNumber(z.number().int().min(0).max(247).default(1)),
    timeoutMs: envNumber(z.number().int().positive().default(1000)),
  })
  .strict()
  .refine((m) => m.tcp || m.rtu, 'modbus needs tcp or rtu');
export type ModbusInterface = z.infer<typeof ModbusInterface>;

export const MqttInterface = z
  .object({
    url: z.string().regex(/^mqtts?:\/\/[^/]+:\d+$/, 'expected mqtt://host:port or mqtts://host:port'),
    protocolVersion: envNumber(z.union([z.literal(3), z.literal(4), z.literal(5)]).default(4)),
    /** TLS: accept the device's self-signed certificate (labs) or pin a CA file. */
    tls: z.object({ rejectUnauthorized: z.boolean().default(true), caFile: z.string().optional() }).strict().optional(),
    /** A plaintext URL to probe when `url` is TLS, to check plaintext is really off. */
    plaintextUrl: z.string().optional(),
    topics: z
      .object({
        telemetry: z.string(),
        command: z.string(),
        status: z.string().optional(),
        alert: z.string().optional(),
      })
      .strict(),
    /** JSON command template; {point} and {value} are substituted (value as JSON). */
    commandTemplate: z.string().default('{"point":"{point}","value":{value}}'),
    /** Declared period of telemetry messages (what a delivery check waits for). */
    telemetryPeriodMs: envNumber(z.number().int().positive().optional()),
    /** Regex on a status message meaning "command rejected". */
    rejectedStatus: Regex.default('"ok"\\s*:\\s*false'),
    timeoutMs: envNumber(z.number().int().positive().default(3000)),
  })
  .strict();
export type MqttInterface = z.infer<typeof MqttInterface>;

export const OpcuaInterface = z
  .object({
    endpoint: z.string().regex(/^opc\.tcp:\/\//, 'expected opc.tcp://...'),
    securityPolicy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).default('Basic256Sha256'),
    securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('SignAndEncrypt'),
    timeoutMs: envNumber(z.number().int().positive().default(8000)),
  })
  .strict();
export type OpcuaInterface = z.infer<typeof OpcuaInterface>;

export const NetworkInterface = z
  .object({
    host: z.string().min(1),
    /** Port range to scan: "1-65535" for a device with its own address; a narrower range on a shared host. */
    tcpRange: z.string().regex(/^\d+-\d+$/).default('1-65535'),
    udpPorts: z.array(envNumber(z.number().int().min(1).max(65535))).default([]),
    concurrency: envNumber(z.number().int().min(1).max(4096).default(512)),
    timeoutMs: envNumber(z.number().int().positive().default(1000)),
    /** Declared debug or maintenance TCP ports: probed for a shell or command service without login even when allowed. */
    maintenancePorts: z.array(envNumber(z.number().int().min(1).max(65535))).default([]),
  })
  .strict();
export type NetworkInterface = z.infer<typeof NetworkInterface>;

/** ignore: no reply and no effect (judged by read-back and the monitor), e.g. MQTT commands without a status topic. */
export const Reaction = z.enum(['reject', 'clamp', 'ignore', 'accept']);
export type Reaction = z.infer<typeof Reaction>;

/**
 * How a monitored output relates to a point: `exact` (monitor = value × scale + offset),
 * `calibration` (the same, saturating at outMin/outMax), `bound` (while the point is in range the
 * output stays within [min, max]; nothing more is promised).
 */
export const MonitorRelation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exact'), scale: envNumber(z.number().default(1)), offset: envNumber(z.number().default(0)) }).strict(),
  z
    .object({
      kind: z.literal('calibration'),
      scale: envNumber(z.number()),
      offset: envNumber(z.number().default(0)),
      outMin: envNumber(z.number().optional()),
      outMax: envNumber(z.number().optional()),
    })
    .strict(),
  z.object({ kind: z.literal('bound'), min: envNumber(z.number().optional()), max: envNumber(z.number().optional()) }).strict(),
]);
export type MonitorRelation = z.infer<typeof MonitorRelation>;

/** A process point and how it appears on each interface. */
export const Point = z
  .object({
    type: z.enum(['number', 'boolean']).default('number'),
    unit: z.string().optional(),
    min: envNumber(z.number().optional()),
    max: envNumber(z.number().optional()),
    writable: z.boolean().default(true),
    /** Declared reaction to an out-of-range write, per interface (defaults to `default`). */
    reaction: z
      .object({
        default: Reaction.default('reject'),
        modbus: Reaction.optional(),
        /** Per Modbus function code where they differ (FC06 single register, FC16 multiple registers). */
        modbusFc06: Reaction.optional(),
        modbusFc16: Reaction.optional(),
        mqtt: Reaction.optional(),
        opcua: Reaction.optional(),
        console: Reaction.optional(),
      })
      .strict()
      .default({ default: 'reject' }),
    modbus: z
      .object({
        table: z.enum(['holding', 'coil', 'input', 'discrete']),
        address: envNumber(z.number().int().min(0).max(65535)),
        scale: envNumber(z.number().positive().default(1)),
        /** Exception codes the device declares for a rejected write. */
        rejectCodes: z.array(envNumber(z.number().int())).default([3]),
      })
      .strict()
      .optional(),
    mqtt: z.object({ name: z.string() }).strict().optional(),
    opcua: z.object({ nodeId: z.string(), dataType: z.enum(['Double', 'Float', 'Int32', 'UInt16', 'UInt32', 'Boolean']).default('Double') }).strict().optional(),
    console: z.object({ name: z.string() }).strict().optional(),
    /** Where the independent monitor observes this point's effective value. */
    monitor: z.string().optional(),
    /**
     * What the monitor point shows when this point is in range (default `exact`: the point itself).
     * A monitor that sees an output related to the point declares the relation.
     */
    monitorRelation: MonitorRelation.optional(),
  })
  .strict();
export type Point = z.infer<typeof Point>;

export const MonitorPoint = z
  .object({
    table: z.enum(['holding', 'input', 'coil', 'discrete']).default('input'),
    address: envNumber(z.number().int().min(0).max(65535)),
    scale: envNumber(z.number().positive().default(1)),
  })
  .strict();

/** The independent channel that sees the field outputs, not the interface under attack. */
export const MonitorChannel = z
  .object({
    modbusTcp: TcpUrl,
    unitId: envNumber(z.number().int().min(0).max(247).default(1)),
    timeoutMs: envNumber(z.number().int().positive().default(500)),
    points: z.record(z.string(), MonitorPoint),
  })
  .strict();
export type MonitorChannel = z.infer<typeof MonitorChannel>;

export const SafeStateRule = z
  .object({
    /** Monitor point name and the value it must reach (within tolerance). */
    point: z.string(),
    safeValue: envNumber(z.number()),
    tolerance: envNumber(z.number().nonnegative().default(0)),
  })
  .strict();

export const Policy = z
  .object({
    /** How the device handles a vendor default: none exists, must be changed before use, or unique per unit. */
    defaultCredential: z.enum(['absent', 'must-change', 'unique-per-unit']).default('absent'),
    passwordPolicy: z
      .object({
        minLength: envNumber(z.number().int().positive()),
        minClasses: envNumber(z.number().int().min(1).max(4).default(1)),
        history: envNumber(z.number().int().nonnegative().default(0)),
      })
      .strict()
      .optional(),
    lockout: z
      .object({
        threshold: envNumber(z.number().int().positive()),
        durationMs: envNumber(z.number().int().positive()),
        scope: z.enum(['account', 'source', 'global']).default('account'),
        /** Protocols whose logins the lock covers (each must offer logins). */
        interfaces: z.array(z.string().min(1)).default(['console']),
        resetOnSuccess: z.boolean().default(true),
        /** Accepted lateness of unlock beyond durationMs. */
        toleranceMs: envNumber(z.number().int().nonnegative().default(1000)),
        /** Whether a wrong password tried while locked restarts the lock (false: the lock ends durationMs after it began, whatever is tried). */
        extendsOnAttempt: z.boolean().default(false),
        /**
         * Groups of lockout interface ids (`console`, `console-tcp`, `mqtt`, ...) whose failure
         * counters and locks are independent of every other interface's (e.g. separate account
         * databases). Walks of different groups run at the same time; within a group, and among the
         * interfaces in no group (one more group), one after another. Absent: every walk one after
         * another, as a device may count failures of all interfaces together. Console endpoints that
         * share accounts share a counter: they must be in the same group.
         */
        independentCounters: z.array(z.array(z.string().min(1)).min(1)).optional(),
      })
      .strict()
      .optional(),
    idleTimeoutMs: envNumber(z.number().int().positive().optional()),
    /**
     * The idle-session endpoints (console serial line and TCP port) each hold a session at the same
     * time, with an idle timer of their own: their idle waits run at once (one idle timeout instead
     * of one per endpoint). Absent or false: one after another, as a device may allow one console
     * session at a time or end one session when another begins.
     */
    independentIdleSessions: z.boolean().default(false),
    ports: z
      .object({
        // Coerced so a list entry may come from the environment ("${GW_MODBUS_PORT:-502}").
        tcp: z.array(Port),
        udp: z.array(Port).default([]),
      })
      .strict(),
    /** Protocols on which the device declares unauthenticated use allowed (e.g. { mqtt: true }); absent means refused. */
    anonymous: z.record(z.string(), z.boolean()).default({}),
    secureChannel: z
      .object({ mqttTls: z.boolean().default(true), opcuaSecurityNone: z.boolean().default(false) })
      .strict()
      .default({ mqttTls: true, opcuaSecurityNone: false }),
    privilegeSeparation: z.boolean().default(true),
    /** Console that is declared unused must not give a shell without login. */
    points: z.record(z.string(), Point).default({}),
    safeState: z
      .object({
        watchdogMs: envNumber(z.number().int().positive()),
        /** Time to reach the safe state, counted from `reactionFrom`. */
        reactionMs: envNumber(z.number().int().positive()),
        /** last-request: from the master's last request; watchdog-expiry: from watchdogMs after it (watchdog timeout + reaction). */
        reactionFrom: z.enum(['last-request', 'watchdog-expiry']).default('last-request'),
        /** What the outputs do on communication loss: off (their safeValue), hold (keep the last value), fixed (the safeValue given). */
        failMode: z.enum(['off', 'hold', 'fixed']).default('off'),
        recoveryMs: envNumber(z.number().int().positive()),
        outputs: z.array(SafeStateRule).min(1),
        heartbeat: z
          .object({
            point: z.string(),
            periodMs: envNumber(z.number().positive()),
            jitterToleranceMs: envNumber(z.number().nonnegative()),
            /** Essential-function criterion: share of periods that must land within the tolerance (%, default 95). */
            minWithinTolerancePct: envNumber(z.number().min(0).max(100).optional()),
            /** Essential-function criterion: longest outage allowed (ms; default 2 × (period + tolerance)). */
            maxOutageMs: envNumber(z.number().positive().optional()),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** Where security alerts appear. */
    alerts: z
      .object({
        mqttTopic: z.string().optional(),
        /** JSON key of the alert payload the match applies to (e.g. "event"); the whole payload when absent. */
        payloadKey: z.string().min(1).optional(),
        /** Regex an alert about a lock (or a rejected command) matches, on payloadKey's value or the payload. */
        match: Regex.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

export const Hooks = z
  .object({
    powerCycle: z.string().optional(),
    factoryReset: z.string().optional(),
    timeoutMs: envNumber(z.number().int().positive().default(60_000)),
  })
  .strict();

export const ContainerTarget = z
  .object({
    image: z.string(),
    command: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).default({}),
    /** Environment variables copied from the harness environment into the container (secrets). */
    passEnv: z.array(z.string()).default([]),
    binds: z.array(z.string()).default([]),
    waitForLog: z.string().optional(),
    startupTimeoutMs: envNumber(z.number().int().positive().default(60_000)),
  })
  .strict();

/** A lab action: a shell command (run with zx), or an in-process hook the bench code registered by name. */
export const LabAction = z.union([
  z.object({ command: z.string().min(1), timeoutMs: envNumber(z.number().int().positive().default(30_000)) }).strict(),
  z.object({ hook: z.string().min(1) }).strict(),
]);
export type LabAction = z.infer<typeof LabAction>;

/**
 * Fault injection (issue 5). The upstream is the gateway's own link to its broker (or master):
 * the device is configured to use `proxyListen` as its upstream address, the harness's TCP fault
 * proxy listens there and forwards to `target`, so the harness can cut, blackhole, delay or reset
 * the link and count the device's connection attempts.
 */
function upstreamUnlessDisabled(v: unknown): unknown {
  if (!v || typeof v !== 'object' || !('enabled' in v)) return v;
  const { enabled, ...rest } = v as { enabled: unknown };
  if (enabled === false || enabled === 'false') return undefined;
  return enabled === true || enabled === 'true' ? rest : v; // anything else: refused as an unknown value below
}

export const FaultsConfig = z
  .object({
    // `enabled: false` (e.g. "${HIL_SIM_UPSTREAM_ENABLED:-false}") leaves the upstream out, like a disabled interface.
    upstream: z.preprocess(upstreamUnlessDisabled, z
      .object({
        kind: z.enum(['mqtt-broker']).default('mqtt-broker'),
        /** Where the real upstream listens (tcp://host:port of the broker the harness controls). */
        target: TcpUrl,
        /** Where the fault proxy listens: the upstream address configured in the device. */
        proxyListen: TcpUrl,
        /** How to stop and start the upstream for the broker-outage fault. */
        control: z.object({ stop: LabAction, start: LabAction }).strict().optional(),
        /** Declared reconnect behaviour: connection attempts per second allowed while the upstream is away. */
        maxConnectAttemptsPerSec: envNumber(z.number().positive().default(2)),
        /** Declared time to re-establish the upstream session after the link returns. */
        reconnectMs: envNumber(z.number().int().positive().default(15_000)),
        /** Length of each link fault / outage. */
        outageMs: envNumber(z.number().int().positive().default(5000)),
        /** Link-loss modes to inject, in order. */
        linkModes: z.array(z.enum(['cut', 'blackhole', 'latency', 'reset'])).min(1).default(['cut', 'blackhole', 'latency', 'reset']),
        /** Added one-way delay of the latency mode. */
        latencyMs: envNumber(z.number().int().positive().default(300)),
      })
      .strict()
      .optional()),
    storm: z
      .object({
        /** Modbus request rates (req/s), one step each, increasing. */
        modbusRates: z.array(envNumber(z.number().int().positive())).min(1).default([200, 500, 1000, 2000]),
        mqttRates: z.array(envNumber(z.number().int().positive())).default([100, 300]),
        stepMs: envNumber(z.number().int().positive().default(1000)),
        connections: envNumber(z.number().int().min(1).max(64).default(2)),
        /** Connections opened per declared open port in the connection flood (bounded). */
        connectionFlood: envNumber(z.number().int().min(0).max(2000).default(100)),
      })
      .strict()
      .default({ modbusRates: [200, 500, 1000, 2000], mqttRates: [100, 300], stepMs: 1000, connections: 2, connectionFlood: 100 }),
    /** Sampling period of the safe-state monitor. */
    monitorPeriodMs: envNumber(z.number().positive().default(10)),
    /** Share of a fault window the monitor may miss (its sampler late) before a timing check is INCONCLUSIVE (%). */
    monitorMaxUnobservedPct: envNumber(z.number().min(0).max(100).default(20)),
  })
  .strict();
export type FaultsConfig = z.infer<typeof FaultsConfig>;

const BUILT_IN_INTERFACES = new Set(['console', 'modbus', 'mqtt', 'opcua', 'network']);

export const TargetProfile = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
    identity: IdentitySchema.strict(),
    interfaces: z
      .object({
        console: ConsoleInterface.optional(),
        modbus: ModbusInterface.optional(),
        mqtt: MqttInterface.optional(),
        opcua: OpcuaInterface.optional(),
        network: NetworkInterface.optional(),
      })
      // Interfaces of registered extension protocols are validated by their own schema; any other key is refused.
      .catchall(z.unknown())
      .superRefine((ifaces, ctx) => {
        for (const [name, value] of Object.entries(ifaces)) {
          if (BUILT_IN_INTERFACES.has(name)) continue;
          const schema = interfaceSchema(name);
          if (!schema) {
            ctx.addIssue({ code: 'custom', path: [name], message: `unknown interface "${name}" (no protocol of that name is registered; check the spelling)` });
            continue;
          }
          const r = schema.safeParse(value);
          if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: [name, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message });
          else (ifaces as Record<string, unknown>)[name] = r.data;
        }
      }),
    credentials: z
      .object({
        defaults: z.array(DefaultCredential).default([]),
        /** Legacy form: one admin and one user account on every login interface (prefer `accounts`). */
        admin: Account.optional(),
        user: Account.optional(),
      })
      .strict()
      .default({ defaults: [] }),
    /** The device's accounts, each on the interfaces it logs in on, with its role. */
    accounts: z.array(InterfaceAccount).default([]),
    /** What each role may do per interface; `admin` and `user` exist without being declared. */
    roles: Roles.default({}),
    policy: Policy,
    monitor: MonitorChannel.optional(),
    /** State-changing probes (lockout, writes, password change) run only when the lab allows them. */
    allowStateChanges: z.boolean().default(false),
    hooks: Hooks.optional(),
    container: ContainerTarget.optional(),
    /** Fault-injection settings (optional; defaults apply when absent). */
    faults: FaultsConfig.optional(),
  })
  .strict();
export type TargetProfile = z.infer<typeof TargetProfile>;
export type TargetProfileInput = z.input<typeof TargetProfile>;
/**
 * An interface of a target: a protocol on one endpoint. Usually the protocol's name; Modbus has
 * one per transport ('modbus-tcp', 'modbus-rtu'). Extension protocols add their own.
 */
export type InterfaceName = 'console' | 'modbus-tcp' | 'modbus-rtu' | 'mqtt' | 'opcua' | 'network' | 'monitor' | (string & {});
