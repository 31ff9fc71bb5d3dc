import { createServer } from 'node:net';

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/**
 * Find a block of `size` consecutive ports starting at a multiple of `size`, all free, so a
 * simulator's ports stay inside one range a port scan can be limited to.
 */
export async function freePortBlock(host: string, size: number, offsets: number[], preferred: number[]): Promise<number> {
  const candidates = [...preferred];
  // Below 32768, where Linux starts handing out ephemeral ports for outgoing connections; from
  // 10000, above most services' well-known ports: 22 blocks of 1000, enough for a fleet of 16.
  for (let b = 20_000; b + size <= 32_768; b += size) candidates.push(b);
  for (let b = 10_000; b < 20_000; b += size) candidates.push(b);
  for (const base of candidates) {
    let ok = true;
    for (const off of offsets) {
      if (!(await portFree(base + off, host))) {
        ok = false;
        break;
      }
    }
    if (ok) return base;
  }
  throw new Error(`no free block of ${size} ports on ${host}`);
}
