/**
 * The standard scenario library, in execution order (file stem without `.scenario.ts`).
 * Credential checks come before lockout, whose probes count as failed logins; faults last.
 */
export const SCENARIO_ORDER: readonly string[] = [];
