/**
 * Requirement references are "FAMILY:CLAUSE" strings (CPSF:L2.007, IEC62443-4-2:CR1.11, EN303645:5.1-5, ...).
 * The family decides the column of the verdict matrix and the group of the coverage table.
 */
export interface RequirementFamily {
  id: string;
  label: string;
  /** Prefixes used in scenario requirement lists. */
  prefixes: string[];
}

export const REQUIREMENT_FAMILIES: RequirementFamily[] = [
  { id: 'CPSF', label: 'METI CPSF', prefixes: ['CPSF'] },
  { id: 'IEC62443-4-2', label: 'IEC 62443-4-2', prefixes: ['IEC62443-4-2', 'IEC62443'] },
  { id: 'EN303645', label: 'ETSI EN 303 645', prefixes: ['EN303645', 'ETSI-EN303645'] },
  { id: 'NISTIR8259A', label: 'NIST IR 8259A', prefixes: ['NISTIR8259A', 'NIST8259A'] },
  { id: 'JSSEC', label: 'JSSEC checklist', prefixes: ['JSSEC'] },
  { id: 'PlantIoT', label: 'Plant IoT manual', prefixes: ['PlantIoT', 'PlantManual'] },
];

const OTHER: RequirementFamily = { id: 'Other', label: 'Other', prefixes: [] };

export interface RequirementRef {
  raw: string;
  family: RequirementFamily;
  clause: string;
}

export function parseRequirement(raw: string): RequirementRef {
  const at = raw.indexOf(':');
  const prefix = at === -1 ? '' : raw.slice(0, at);
  const clause = at === -1 ? raw : raw.slice(at + 1);
  const family = REQUIREMENT_FAMILIES.find((f) => f.prefixes.some((p) => p.toLowerCase() === prefix.toLowerCase())) ?? OTHER;
  return { raw, family, clause };
}

/** Families that occur in a set of requirement lists, in the fixed display order (Other last). */
export function familiesIn(requirementLists: string[][]): RequirementFamily[] {
  const ids = new Set(requirementLists.flat().map((r) => parseRequirement(r).family.id));
  return [...REQUIREMENT_FAMILIES, OTHER].filter((f) => ids.has(f.id));
}

/** Natural sort for clauses such as L2.7 < L2.10 and CR1.2 < CR1.11. */
export function compareClauses(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
