import { extraInterfaceNames } from './interface-schemas.js';
import type { TargetProfile } from './target-schema.js';

/**
 * Cross-field checks a schema cannot express, run after the schema and before anything is sent:
 * every name a profile refers to resolves, ranges are ordered, ports (also inside URLs) are
 * 1–65535, and every wait is bounded. Each issue names the field path and what was expected.
 */
export interface ProfileIssue {
  path: string;
  message: string;
}

/** The longest wait a profile may declare: past it a device is not slow, the profile is wrong. */
export const MAX_WAIT_MS = 3_600_000;

/** Keys that would reach an object's prototype; YAML and JSON keep them as own keys, zod records drop them silently. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Refuse prototype keys at any depth of the raw (parsed YAML/JSON) profile, before anything reads it. */
export function forbiddenKeys(raw: unknown, path: string[] = []): ProfileIssue[] {
  if (Array.isArray(raw)) return raw.flatMap((v, i) => forbiddenKeys(v, [...path, String(i)]));
  if (!raw || typeof raw !== 'object') return [];
  return Object.getOwnPropertyNames(raw).flatMap((k) =>
    FORBIDDEN_KEYS.has(k)
      ? [{ path: [...path, k].join('.'), message: `the key "${k}" is not allowed (expected a field name of the profile; it would reach an object's prototype)` }]
      : forbiddenKeys((raw as Record<string, unknown>)[k], [...path, k]),
  );
}

/**
 * Interface ids the raw profile declares, disabled ones included (a reference to an interface a
 * bench switched off is still a valid reference): protocol keys, `console-<endpoint>`, Modbus transports.
 */
export function declaredInterfaces(raw: unknown): Set<string> {
  const out = new Set<string>();
  const ifaces = (raw as { interfaces?: unknown } | undefined)?.interfaces;
  if (!ifaces || typeof ifaces !== 'object') return out;
  for (const [name, value] of Object.entries(ifaces)) {
    out.add(name);
    const v = (value ?? {}) as { endpoints?: unknown; tcp?: unknown; rtu?: unknown };
    if (name === 'console' && v.endpoints && typeof v.endpoints === 'object') for (const k of Object.keys(v.endpoints)) out.add(`console-${k}`);
    if (name === 'modbus') for (const t of ['tcp', 'rtu'] as const) if (v[t] !== undefined) out.add(`modbus-${t}`);
  }
  return out;
}

/** Interfaces that can carry a login (lockout, accounts): built-in login protocols and registered extensions. */
function isLoginInterface(id: string): boolean {
  return id === 'console' || id.startsWith('console-') || id === 'mqtt' || id === 'opcua' || extraInterfaceNames().includes(id);
}

const URL_WITH_PORT = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#\s]*):(\d+)(?=$|[/?#])/i;

/** Walk every value with its path. */
function* walk(v: unknown, path: string[] = []): Generator<[string[], unknown]> {
  yield [path, v];
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* walk(v[i], [...path, String(i)]);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) yield* walk(x, [...path, k]);
}

function genericIssues(profile: TargetProfile): ProfileIssue[] {
  const out: ProfileIssue[] = [];
  for (const [path, v] of walk(profile)) {
    const key = path.at(-1) ?? '';
    const at = path.join('.');
    if (typeof v === 'string') {
      const m = URL_WITH_PORT.exec(v);
      if (m) {
        const port = Number(m[3]);
        if (!(port >= 1 && port <= 65535)) out.push({ path: at, message: `port ${m[3]} in ${JSON.stringify(v)} is out of range (expected 1–65535)` });
      }
    }
    const isWait = /Ms$/.test(key) || path.at(-2) === 'timeouts';
    if (isWait && typeof v === 'number' && !(v <= MAX_WAIT_MS)) out.push({ path: at, message: `${v} ms is longer than the harness waits for anything (expected at most ${MAX_WAIT_MS} ms, 1 h)` });
  }
  return out;
}

function ordered(out: ProfileIssue[], path: string, lo: number | undefined, hi: number | undefined, names: [string, string]): void {
  if (lo !== undefined && hi !== undefined && lo > hi) out.push({ path, message: `${names[0]} ${lo} is above ${names[1]} ${hi} (expected ${names[0]} ≤ ${names[1]})` });
}

function rangeIssues(t: TargetProfile): ProfileIssue[] {
  const out: ProfileIssue[] = [];
  for (const [name, p] of Object.entries(t.policy.points)) {
    ordered(out, `policy.points.${name}`, p.min, p.max, ['min', 'max']);
    const r = p.monitorRelation;
    if (r?.kind === 'calibration') ordered(out, `policy.points.${name}.monitorRelation`, r.outMin, r.outMax, ['outMin', 'outMax']);
    if (r?.kind === 'bound') ordered(out, `policy.points.${name}.monitorRelation`, r.min, r.max, ['min', 'max']);
  }
  const net = t.interfaces.network;
  if (net) {
    const [lo, hi] = net.tcpRange.split('-').map(Number) as [number, number];
    if (lo < 1 || hi > 65535) out.push({ path: 'interfaces.network.tcpRange', message: `"${net.tcpRange}" leaves the port numbers (expected lo-hi within 1–65535)` });
    else ordered(out, 'interfaces.network.tcpRange', lo, hi, ['the first port', 'the last']);
  }
  const rates = t.faults?.storm.modbusRates ?? [];
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]! <= rates[i - 1]!) out.push({ path: `faults.storm.modbusRates.${i}`, message: `${rates[i]} after ${rates[i - 1]} (expected increasing rates)` });
  }
  return out;
}

function referenceIssues(t: TargetProfile, declared: Set<string>, written: { lockoutInterfaces: boolean }): ProfileIssue[] {
  const out: ProfileIssue[] = [];
  const monitorPoints = t.monitor ? Object.keys(t.monitor.points) : [];
  const monitorRef = (path: string, name: string) => {
    if (!t.monitor) out.push({ path, message: `refers to monitor point "${name}" but the profile declares no monitor (expected a monitor section with that point)` });
    else if (!monitorPoints.includes(name)) out.push({ path, message: `monitor point "${name}" is not defined (expected one of monitor.points: ${monitorPoints.join(', ') || 'none'})` });
  };
  for (const [name, p] of Object.entries(t.policy.points)) if (p.monitor !== undefined) monitorRef(`policy.points.${name}.monitor`, p.monitor);
  const ss = t.policy.safeState;
  if (ss) {
    ss.outputs.forEach((o, i) => monitorRef(`policy.safeState.outputs.${i}.point`, o.point));
    if (ss.heartbeat) monitorRef('policy.safeState.heartbeat.point', ss.heartbeat.point);
  }
  const loginRef = (path: string, id: string, what: string) => {
    if (!declared.has(id)) out.push({ path, message: `${what} "${id}" is not an interface of this profile (expected one of: ${[...declared].filter(isLoginInterface).join(', ') || 'none declared'})` });
    else if (!isLoginInterface(id)) out.push({ path, message: `${what} "${id}" has no logins (expected an interface with logins: console, a console endpoint, mqtt, opcua)` });
  };
  // Only what the profile wrote: the default (console) of a profile without a console is no reference.
  if (written.lockoutInterfaces) t.policy.lockout?.interfaces.forEach((id, i) => loginRef(`policy.lockout.interfaces.${i}`, id, 'lockout interface'));
  if (t.policy.alerts?.mqttTopic !== undefined && !declared.has('mqtt')) out.push({ path: 'policy.alerts.mqttTopic', message: 'an MQTT alert topic but no interfaces.mqtt (expected the MQTT interface the alert arrives on)' });
  const roles = new Set(['admin', 'user', ...Object.keys(t.roles ?? {})]);
  (t.accounts ?? []).forEach((a, i) => {
    if (!roles.has(a.role)) out.push({ path: `accounts.${i}.role`, message: `role "${a.role}" is not defined (expected admin, user or one of roles: ${Object.keys(t.roles ?? {}).join(', ') || 'none'})` });
    a.interfaces.forEach((id, j) => {
      if (id !== '*') loginRef(`accounts.${i}.interfaces.${j}`, id, 'account interface');
    });
  });
  return out;
}

/**
 * `policy.lockout.independentCounters`: each id a lockout interface of the profile, in one group at
 * most, and console endpoints that share accounts (one counter) never in different groups: their
 * walks must not run at the same time.
 */
function lockoutGroupIssues(t: TargetProfile, declared: Set<string>): ProfileIssue[] {
  const l = t.policy.lockout;
  if (!l?.independentCounters) return [];
  const out: ProfileIssue[] = [];
  const covered = (id: string) => l.interfaces.includes(id) || (id.startsWith('console-') && l.interfaces.includes('console'));
  const groupOf = new Map<string, number>();
  l.independentCounters.forEach((g, gi) =>
    g.forEach((id, i) => {
      const path = `policy.lockout.independentCounters.${gi}.${i}`;
      if (!declared.has(id) || !isLoginInterface(id)) out.push({ path, message: `"${id}" is not a login interface of this profile (expected one of: ${[...declared].filter(isLoginInterface).join(', ') || 'none declared'})` });
      else if (!covered(id)) out.push({ path, message: `"${id}" is not covered by the lock (expected an interface of policy.lockout.interfaces: ${l.interfaces.join(', ')})` });
      else if (groupOf.has(id)) out.push({ path, message: `"${id}" is already in group ${groupOf.get(id)} (expected each interface in one group at most)` });
      else groupOf.set(id, gi);
    }),
  );
  for (const [key, ep] of Object.entries(t.interfaces.console?.endpoints ?? {})) {
    const id = `console-${key}`;
    const [a, b] = [groupOf.get('console'), groupOf.get(id)];
    if (ep.sharesAccounts && a !== b) {
      out.push({ path: 'policy.lockout.independentCounters', message: `console and ${id} share accounts (interfaces.console.endpoints.${key}.sharesAccounts), so they share one failure counter (expected them in the same group, or both in none)` });
    }
  }
  return out;
}

/** Every cross-field problem of a schema-valid profile `t`; `raw` is what the file held (before defaults and disabling). */
export function profileInconsistencies(t: TargetProfile, raw: unknown): ProfileIssue[] {
  const lockout = (raw as { policy?: { lockout?: { interfaces?: unknown } } } | undefined)?.policy?.lockout;
  const written = { lockoutInterfaces: !!lockout && typeof lockout === 'object' && lockout.interfaces !== undefined };
  return [...referenceIssues(t, declaredInterfaces(raw), written), ...lockoutGroupIssues(t, declaredInterfaces(raw)), ...rangeIssues(t), ...genericIssues(t)];
}
