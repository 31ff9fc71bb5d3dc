import { z } from 'zod';

/** A measured value with optional limits, OpenHTF-style. `passed` is computed from the limits, not set by hand. */
export const MeasurementSchema = z.object({
  name: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.union([z.number(), z.string()]))]),
  unit: z.string().optional(),
  limits: z
    .object({
      min: z.number().optional(),
      max: z.number().optional(),
      equals: z.union([z.number(), z.string(), z.boolean()]).optional(),
      oneOf: z.array(z.union([z.number(), z.string()])).optional(),
    })
    .optional(),
  passed: z.boolean().optional(),
  /** Interface the measurement was taken on, when it is interface-specific. */
  iface: z.string().optional(),
});
export type Measurement = z.infer<typeof MeasurementSchema>;
export type MeasurementLimits = NonNullable<Measurement['limits']>;

export function withinLimits(value: Measurement['value'], limits?: MeasurementLimits): boolean | undefined {
  if (!limits) return undefined;
  if (limits.equals !== undefined) return value === limits.equals;
  if (limits.oneOf) return typeof value === 'number' || typeof value === 'string' ? limits.oneOf.includes(value) : false;
  if (typeof value !== 'number') return false;
  if (limits.min !== undefined && value < limits.min) return false;
  if (limits.max !== undefined && value > limits.max) return false;
  return true;
}

export function measurement(
  name: string,
  value: Measurement['value'],
  opts: { unit?: string; limits?: MeasurementLimits; iface?: string } = {},
): Measurement {
  return { name, value, ...opts, passed: withinLimits(value, opts.limits) };
}
