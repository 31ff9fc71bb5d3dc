/**
 * Which scenarios a shard `i/n` runs: the i-th of n contiguous parts of the execution order, so
 * the order constraints inside a shard still hold (credential checks before lockout, faults last)
 * and the shards of one suite together cover it exactly once (`hil merge` joins their run directories).
 */
export function shardOf<T>(items: readonly T[], shard: string | undefined): T[] {
  if (!shard) return [...items];
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i < 1 || i > n) throw new Error(`shard must be i/n with 1 ≤ i ≤ n, got "${shard}"`);
  const size = Math.ceil(items.length / n);
  return items.slice((i - 1) * size, i * size);
}
