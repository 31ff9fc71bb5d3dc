import type { InterfaceName, TargetProfile } from '../profile/target-schema.js';
import { interfaceNames, interfacesWith, type Capability } from '../protocols/registry.js';
import type { ScenarioContext } from './scenario-context.js';

/**
 * What a scenario declares about itself. The runner uses it to decide applicability
 * (NOT_APPLICABLE when the target lacks every interface named), to budget time, and to
 * gate state-changing probes on the target's `allowStateChanges`.
 */
export interface ScenarioDefinition {
  /** Stable id, used by --scenario, report.json and diff. */
  id: string;
  title: string;
  /** Requirement references such as CPSF:L2.007, IEC62443-4-2:CR1.11, EN303645:5.1-5. */
  requirements: string[];
  /**
   * The scenario applies when the target has at least one of these interfaces, or (for checks that
   * work on any protocol, such as logins) at least one interface offering the capability.
   */
  interfaces: InterfaceName[] | { capability: Capability };
  /** True when the scenario changes device state (writes, lockouts, password changes). */
  changesState: boolean;
  /** Upper bound for the whole scenario, derived from the target's declared timings. */
  budgetMs: (target: TargetProfile) => number;
  /** Extra applicability rule beyond interfaces, e.g. "profile declares a lockout policy". Returns a reason when not applicable. */
  notApplicableWhen?: (target: TargetProfile) => string | undefined;
  run: (ctx: ScenarioContext) => Promise<void>;
}

/** Which of the declared interfaces a target actually has. */
export function targetInterfaces(target: TargetProfile): Set<InterfaceName> {
  return interfaceNames(target);
}

/** The interfaces of this target the scenario covers. */
export function scenarioInterfaces(def: Pick<ScenarioDefinition, 'interfaces'>, target: TargetProfile): InterfaceName[] {
  if (!Array.isArray(def.interfaces)) return interfacesWith(target, def.interfaces.capability);
  const have = interfaceNames(target);
  return def.interfaces.filter((i) => have.has(i));
}

/** The interfaces a scenario names, for listings ("console, mqtt" or "every interface with login"). */
export function describeInterfaces(def: Pick<ScenarioDefinition, 'interfaces'>): string {
  return Array.isArray(def.interfaces) ? def.interfaces.join(', ') : `every interface with ${def.interfaces.capability}`;
}

/**
 * Why the scenario will not be executed against this target, or undefined when it will:
 * NOT_APPLICABLE when the device lacks what the scenario tests, NOT_RUN when the lab's
 * profile forbids the state changes it needs (then nothing was shown either way).
 */
export function skipDecision(
  def: ScenarioDefinition,
  target: TargetProfile,
): { verdict: 'NOT_APPLICABLE' | 'NOT_RUN'; reason: string } | undefined {
  if (scenarioInterfaces(def, target).length === 0) {
    return { verdict: 'NOT_APPLICABLE', reason: `target has none of the interfaces this scenario needs (${describeInterfaces(def)})` };
  }
  const na = def.notApplicableWhen?.(target);
  if (na) return { verdict: 'NOT_APPLICABLE', reason: na };
  if (def.changesState && !target.allowStateChanges) {
    return { verdict: 'NOT_RUN', reason: 'scenario changes device state and the target profile does not set allowStateChanges: true' };
  }
  return undefined;
}
