import { randomBytes } from 'node:crypto';

/** Sortable, unique run id: UTC time plus random suffix. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}
