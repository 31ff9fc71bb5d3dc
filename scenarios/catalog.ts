/**
 * The standard scenario library, in execution order (file stem without `.scenario.ts`).
 * Credential checks run before lockout, whose probes count as failed logins; state-disturbing
 * faults run last. Files not present yet are skipped by the runner.
 */
export const SCENARIO_ORDER: readonly string[] = [
  'default-credentials',
  'unauthenticated-access',
  'secure-channel',
  'privilege-separation',
  'port-closure',
  'range-check',
  'idle-session-timeout',
  'lockout',
  'safe-state-master-loss',
  'link-loss',
  'broker-outage',
  'malformed-input',
  'request-storm',
];
