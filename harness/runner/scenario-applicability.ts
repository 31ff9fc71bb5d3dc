import type { InterfaceName, TargetProfile } from '../profile/target-schema.js';
import { interfaceNames, interfacesWith } from '../protocols/registry.js';
import type { ScenarioDeclaration } from './scenario-declaration.js';

/** Which of the declared interfaces a target actually has. */
export function targetInterfaces(target: TargetProfile): Set<InterfaceName> {
  return interfaceNames(target);
}

/** The interfaces of this target the scenario covers. */
export function scenarioInterfaces(def: Pick<ScenarioDeclaration, 'interfaces'>, target: TargetProfile): InterfaceName[] {
  if (!Array.isArray(def.interfaces)) return [...new Set([def.interfaces.capability].flat().flatMap((c) => interfacesWith(target, c)))];
  const have = interfaceNames(target);
  return def.interfaces.filter((i) => have.has(i));
}

/** The interfaces a scenario names, for listings ("console, mqtt" or "every interface with login"). */
export function describeInterfaces(def: Pick<ScenarioDeclaration, 'interfaces'>): string {
  return Array.isArray(def.interfaces) ? def.interfaces.join(', ') : `every interface with ${[def.interfaces.capability].flat().join(' or ')}`;
}

/**
 * Why the scenario will not be executed against this target, or undefined when it will:
 * NOT_APPLICABLE when the device lacks what the scenario tests, NOT_RUN when the lab's
 * profile forbids the state changes it needs (then nothing was shown either way).
 */
export function skipDecision(
  def: ScenarioDeclaration,
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
