import type { z } from 'zod';

/**
 * Schemas of `interfaces.<name>` for protocols beyond the built-in ones. A protocol registers its
 * schema here (through the protocol registry) so a profile naming it is validated like any other
 * interface, and a misspelt interface is still refused. Kept in the profile layer so the profile
 * never imports a protocol.
 */
const extra = new Map<string, z.ZodType>();

export function registerInterfaceSchema(name: string, schema: z.ZodType): void {
  extra.set(name, schema);
}

export function interfaceSchema(name: string): z.ZodType | undefined {
  return extra.get(name);
}

export function extraInterfaceNames(): string[] {
  return [...extra.keys()];
}
