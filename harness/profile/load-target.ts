import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { sha256Hex } from '../evidence/evidence-log.js';
import { ProfileError } from './profile-error.js';
import { forbiddenKeys, profileInconsistencies } from './profile-consistency.js';
import { TargetProfile, type TargetProfileInput } from './target-schema.js';

export interface LoadedTarget {
  profile: TargetProfile;
  path: string;
  /** SHA-256 of the profile text as given (before interpolation), recorded in report.json. */
  digest: string;
  /** The text's YAML document as plain data, before interpolation and validation. */
  document: unknown;
}

/** A profile text already parsed by another process: reused only for a text with the same digest. */
export interface ParsedProfileText {
  digest: string;
  document: unknown;
}

/** Whether `v` survives JSON unchanged (YAML's .inf, .nan and -0 do not). */
function plainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(plainJson);
  return typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(plainJson);
}

/** The parsed text to hand to another process over a JSON channel; none when JSON would change the document. */
export function parsedTextToShare(t: LoadedTarget): ParsedProfileText | undefined {
  return plainJson(t.document) ? { digest: t.digest, document: t.document } : undefined;
}

/** `${VAR}` and `${VAR:-default}` in string values, so a lab can set addresses per bench. Secrets use `password: {env: ...}` instead. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, file: string, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (def !== undefined) return def;
      throw new ProfileError(file, [{ path: path.join('.'), message: `environment variable ${name} is not set and has no default` }]);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, file, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, file, [...path, k])]));
  }
  return value;
}

function zodIssues(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => {
    const path = i.path.map(String).join('.');
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
    return { path, message };
  });
}

/**
 * An interface (or the Modbus RTU line) with `enabled: false` is removed before validation, so one
 * profile can serve benches where a port is not wired ("enabled: ${GW_HAS_OPCUA:-true}").
 */
export function dropDisabled(value: unknown, file: string): unknown {
  if (!value || typeof value !== 'object') return value;
  const root = value as { interfaces?: Record<string, unknown> };
  const isOff = (v: unknown): boolean => {
    if (!v || typeof v !== 'object' || !('enabled' in v)) return false;
    const e = (v as { enabled: unknown }).enabled;
    if (e === true || e === 'true') return false;
    if (e === false || e === 'false') return true;
    throw new ProfileError(file, [{ path: 'enabled', message: `expected true or false, got ${JSON.stringify(e)}` }]);
  };
  const strip = (v: unknown) => {
    if (v && typeof v === 'object' && 'enabled' in v) delete (v as { enabled?: unknown }).enabled;
  };
  for (const [name, iface] of Object.entries(root.interfaces ?? {})) {
    if (isOff(iface)) delete root.interfaces![name];
    else {
      strip(iface);
      const rtu = (iface as { rtu?: unknown } | undefined)?.rtu;
      if (rtu !== undefined) {
        if (isOff(rtu)) delete (iface as { rtu?: unknown }).rtu;
        else strip(rtu);
      }
    }
  }
  return value;
}

/** Validate an in-memory profile (TypeScript targets, generated simulator targets). */
export function parseTarget(input: unknown, source = '<inline>', env: NodeJS.ProcessEnv = process.env): TargetProfile {
  const unsafe = forbiddenKeys(input);
  if (unsafe.length) throw new ProfileError(source, unsafe);
  const interpolated = dropDisabled(interpolateEnv(input, env, source), source);
  const parsed = TargetProfile.safeParse(interpolated);
  if (!parsed.success) throw new ProfileError(source, zodIssues(parsed.error));
  // Cross-field checks on what the schema accepted: references, ordered ranges, ports in URLs, bounded waits.
  const issues = profileInconsistencies(parsed.data, input);
  if (issues.length) throw new ProfileError(source, issues);
  return parsed.data;
}

/**
 * Load a YAML (or JSON) target profile file. Throws ProfileError naming the file and field.
 * `parsed`: the document another process parsed from a text with this digest (the scenario host
 * gets the CLI's): used when the file's digest matches, so only validation runs again.
 */
export function loadTargetFile(file: string, env: NodeJS.ProcessEnv = process.env, parsed?: ParsedProfileText): LoadedTarget {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ProfileError(file, [{ path: '', message: `cannot read file: ${(e as Error).message}` }]);
  }
  const digest = sha256Hex(text);
  let raw: unknown;
  if (parsed?.digest === digest) raw = parsed.document;
  else {
    try {
      raw = YAML.parse(text, { prettyErrors: true });
    } catch (e) {
      throw new ProfileError(file, [{ path: '', message: `not valid YAML: ${(e as Error).message}` }]);
    }
  }
  return { profile: parseTarget(raw, file, env), path, digest, document: raw };
}

/** Typed helper for profiles written in TypeScript. */
export function defineTarget(input: TargetProfileInput): TargetProfile {
  return parseTarget(input, '<defineTarget>');
}
