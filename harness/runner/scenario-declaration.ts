import type { InterfaceName, TargetProfile } from '../profile/target-schema.js';
import type { Capability } from '../protocols/registry.js';

/**
 * What a scenario declares about itself, everything but its body. The runner uses it to decide
 * applicability (NOT_APPLICABLE when the target lacks every interface named), to budget time, and
 * to gate state-changing probes on the target's `allowStateChanges`. Kept apart from the body's
 * signature so the scenario context can hold the declaration without depending on the definition.
 */
export interface ScenarioDeclaration {
  /** Stable id, used by --scenario, report.json and diff. */
  id: string;
  title: string;
  /** Requirement references such as CPSF:L2.007, IEC62443-4-2:CR1.11, EN303645:5.1-5. */
  requirements: string[];
  /**
   * The scenario applies when the target has at least one of these interfaces, or (for checks that
   * work on any protocol, such as logins) at least one interface offering the capability (or any
   * of the capabilities listed).
   */
  interfaces: InterfaceName[] | { capability: Capability | Capability[] };
  /** True when the scenario changes device state (writes, lockouts, password changes). */
  changesState: boolean;
  /** Upper bound for the whole scenario, derived from the target's declared timings. */
  budgetMs: (target: TargetProfile) => number;
  /** What the scenario checks, one short line each, for `hil list` and the README (what a PASS covers). */
  checks?: string[];
  /** Extra applicability rule beyond interfaces, e.g. "profile declares a lockout policy". Returns a reason when not applicable. */
  notApplicableWhen?: (target: TargetProfile) => string | undefined;
}
