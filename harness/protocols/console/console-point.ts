import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';

/**
 * Generic "name: value" / "name = value" reader, used when the profile declares no
 * `responses.pointValue`; recorded in the evidence when used, so a mismatch is visible.
 */
export const DEFAULT_POINT_VALUE = '{point}\\s*[=:]\\s*(-?[0-9]+(?:\\.[0-9]+)?)';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pattern that finds `name`'s value in the status command's output (group 1 = the number). */
export function pointValuePattern(iface: ConsoleInterface, name: string): { re: RegExp; declared: boolean } {
  const template = iface.responses.pointValue ?? DEFAULT_POINT_VALUE;
  const src = template.split('{point}').join(escapeRegex(name));
  return { re: compilePattern(src), declared: iface.responses.pointValue !== undefined };
}

/** The point's value in a status output, or undefined when the pattern does not find a number. */
export function consolePointValue(iface: ConsoleInterface, name: string, statusOutput: string): number | undefined {
  const m = pointValuePattern(iface, name).re.exec(statusOutput);
  const v = m?.[1] !== undefined ? Number(m[1]) : NaN;
  return Number.isFinite(v) ? v : undefined;
}
