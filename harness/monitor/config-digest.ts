/**
 * Configuration digest: SHA-256 of the canonical JSON (sorted keys) of what the device reports
 * as its configuration, taken before the fault and after recovery. A changed digest means the
 * fault cost the device its settings (Ruuvi-style baseline vs final hash).
 */
import { createHash } from 'node:crypto';

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function configDigest(snapshot: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(snapshot)).digest('hex');
}

/** Keys whose values differ (for the failure reason). */
export function configDiff(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => canonicalJson(before[k]) !== canonicalJson(after[k])).map((k) => `${k}: ${canonicalJson(before[k])} → ${canonicalJson(after[k])}`);
}
