/**
 * What a role's declared permissions allow on a point, per protocol: a privilege check probes a
 * non-admin role only where the profile does not grant it the write.
 */
import type { RolePermissions } from './account-schema.js';
import { topicMatches } from './topic-filter.js';
import type { Point, TargetProfile } from './target-schema.js';

/** A console command pattern: literal words, a trailing `*` for any arguments. */
export function commandPermitted(patterns: readonly string[], command: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? command.startsWith(p.slice(0, -1)) : command === p));
}

/** Whether `perms` lets the role write `point` over `protocol` on this target. */
export function roleMayWrite(perms: RolePermissions, protocol: string, t: TargetProfile, point: Point): boolean {
  if (perms.admin) return true;
  if (protocol === 'console') {
    const tpl = t.interfaces.console?.commands.setPoint;
    if (!tpl || !point.console) return false;
    const cmd = tpl.replaceAll('{point}', point.console.name).replaceAll('{value}', '0');
    return commandPermitted(perms.console?.commands ?? [], cmd);
  }
  if (protocol === 'mqtt') {
    const topic = t.interfaces.mqtt?.topics.command;
    return !!topic && (perms.mqtt?.write ?? []).some((f) => topicMatches(f, topic));
  }
  if (protocol === 'opcua') return !!point.opcua && (perms.opcua?.write ?? []).includes(point.opcua.nodeId);
  return false;
}
