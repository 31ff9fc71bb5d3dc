/** Result of comparing a port scan with the device's declared allowlist. */
export interface AllowlistFinding {
  unexpectedOpen: number[];
  /** Declared ports that are not open (not a security failure; reported as an observation). */
  declaredButClosed: number[];
  /** Open ports that belong to the lab (the independent monitor), excluded with a reason. */
  excluded: { port: number; why: string }[];
}

export function compareWithAllowlist(
  open: number[],
  allowed: number[],
  excluded: { port: number; why: string }[] = [],
  scanned?: (port: number) => boolean,
): AllowlistFinding {
  const ex = new Set(excluded.map((e) => e.port));
  const allow = new Set(allowed);
  return {
    unexpectedOpen: open.filter((p) => !allow.has(p) && !ex.has(p)).sort((a, b) => a - b),
    declaredButClosed: allowed.filter((p) => !open.includes(p) && (!scanned || scanned(p))).sort((a, b) => a - b),
    excluded: excluded.filter((e) => open.includes(e.port)),
  };
}

/** Parse "a-b" into an inclusive port list. */
export function portRange(range: string): number[] {
  const m = /^(\d+)-(\d+)$/.exec(range);
  if (!m) throw new Error(`bad port range "${range}"`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) throw new Error(`bad port range "${range}"`);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}
