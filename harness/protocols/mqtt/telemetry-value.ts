/**
 * Read a point's value from a telemetry message: JSON with the point's MQTT name as a key, at the
 * top level or nested a few levels down (`{"points":{"heaterSetpoint":45}}`). Undefined when the
 * message is not JSON or does not carry the point (then telemetry cannot serve as read-back).
 */
export function telemetryPointValue(text: string, name: string, maxDepth = 3): number | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const visit = (v: unknown, depth: number): number | undefined => {
    if (!v || typeof v !== 'object' || Array.isArray(v) || depth > maxDepth) return undefined;
    const o = v as Record<string, unknown>;
    if (name in o) {
      const x = o[name];
      if (typeof x === 'number' && Number.isFinite(x)) return x;
      if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return Number(x);
      if (typeof x === 'boolean') return x ? 1 : 0;
    }
    for (const child of Object.values(o)) {
      const r = visit(child, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  return visit(json, 0);
}
