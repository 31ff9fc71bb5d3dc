import { z } from 'zod';

/**
 * Accounts per interface and roles with their permissions. A real gateway has console accounts,
 * MQTT accounts and an OPC UA user, each with its own role; scenarios pick, per interface, the
 * account they need (harness/profile/account-query.ts).
 */

/** A secret is never written in the profile: it names the environment variable that holds it. */
export const SecretRef = z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') }).strict();

const RoleName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a role name: letters, digits, dot, dash, underscore');

/**
 * One account: where it logs in, its password's environment variable, its role. `interfaces` holds
 * interface ids ('console', 'console-tcp', 'mqtt', 'opcua') or protocol names ('console' covers
 * every console endpoint); '*' is every login interface.
 */
export const InterfaceAccount = z
  .object({
    username: z.string().min(1),
    password: SecretRef,
    role: RoleName,
    interfaces: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type InterfaceAccount = z.infer<typeof InterfaceAccount>;

/** What a role may do, per interface. `admin: true` is everything, everywhere. */
export const RolePermissions = z
  .object({
    admin: z.boolean().default(false),
    /** Console command patterns (a trailing `*` matches any arguments), e.g. 'show *'. */
    console: z.object({ commands: z.array(z.string().min(1)).default([]) }).strict().optional(),
    /** MQTT topic filters (`+`, `#`) the role may subscribe to (read) and publish to (write). */
    mqtt: z.object({ read: z.array(z.string().min(1)).default([]), write: z.array(z.string().min(1)).default([]) }).strict().optional(),
    /** OPC UA node ids the role may write. */
    opcua: z.object({ write: z.array(z.string().min(1)).default([]) }).strict().optional(),
  })
  .strict();
export type RolePermissions = z.infer<typeof RolePermissions>;

/** Roles every profile has without declaring them: the legacy `credentials.admin`/`user` use these. */
export const BUILT_IN_ROLES: Readonly<Record<string, RolePermissions>> = Object.freeze({
  admin: { admin: true },
  user: { admin: false },
});

export const Roles = z.record(RoleName, RolePermissions);
export type Roles = z.infer<typeof Roles>;

/** The permissions of `role` (declared, else built-in); undefined for a role nobody declared. */
export function rolePermissions(roles: Roles, role: string): RolePermissions | undefined {
  return Object.hasOwn(roles, role) ? roles[role] : BUILT_IN_ROLES[role];
}
