/**
 * What the demo must show, per simulator profile: the hardened simulator passes every check, the
 * weak one fails every check (each for its own reason), and against the hostile one nothing is a
 * device verdict (no PASS, no FAIL: garbage decides nothing). NOT_APPLICABLE is accepted where a
 * part is missing on this machine (no socat: no Modbus RTU; --no-opcua).
 */
import type { Report } from '../core/result-schema.js';

export type DemoProfile = 'hardened' | 'weak' | 'hostile';

const ALLOWED: Record<DemoProfile, readonly string[]> = {
  hardened: ['PASS', 'NOT_APPLICABLE'],
  weak: ['FAIL', 'NOT_APPLICABLE'],
  hostile: ['ERROR', 'INCONCLUSIVE', 'NOT_APPLICABLE'],
};

/** One line per scenario whose verdict is not what the profile must give (empty: as expected). */
export function demoAsExpected(profile: DemoProfile, report: Report): string[] {
  return report.results
    .filter((r) => !ALLOWED[profile].includes(r.verdict))
    .map((r) => `sim-${profile} ${r.scenarioId}: ${r.verdict} (expected ${ALLOWED[profile].join(' or ')}) — ${r.reason}`);
}
