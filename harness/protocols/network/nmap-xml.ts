/**
 * Per-port TCP states out of nmap's XML report (`-oX`). nmap lists the interesting ports one by one
 * and folds the rest into <extraports> groups; since 7.80 each group's <extrareasons> carries the
 * folded ports as a range list, so every scanned port gets a state. A report that leaves a scanned
 * port without one is refused (the caller falls back to the built-in scanner) rather than guessed.
 */
import { z } from 'zod';

/** The states the harness keeps; nmap's combined states count as filtered (no decisive answer). */
export type NmapPortState = 'open' | 'closed' | 'filtered';

const stateSchema = z.enum(['open', 'closed', 'filtered', 'unfiltered', 'open|filtered', 'closed|filtered']);

function toState(raw: string): NmapPortState {
  const s = stateSchema.parse(raw);
  if (s === 'open') return 'open';
  // unfiltered (ACK scan): the port answered with RST, so nothing accepts there.
  if (s === 'closed' || s === 'unfiltered') return 'closed';
  return 'filtered';
}

/** "1-21,23,25-79" → [1..21, 23, 25..79]. */
export function expandRanges(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`nmap XML: bad port list "${part}"`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let p = a; p <= b; p++) out.push(p);
  }
  return out;
}

/** Sorted ports → "1-21,23,25-79" (nmap's -p syntax). */
export function compressRanges(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export interface NmapTcpReport {
  /** State per port (only TCP ports of the report). */
  states: Map<number, NmapPortState>;
  /** nmap's own exit status in <finished exit="...">. */
  finished: 'success' | 'error' | 'missing';
  errorMessage?: string;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

export function parseNmapTcpXml(xml: string): NmapTcpReport {
  const states = new Map<number, NmapPortState>();
  for (const m of xml.matchAll(/<port protocol="tcp" portid="(\d+)"><state state="([^"]+)"/g)) states.set(Number(m[1]), toState(m[2]!));
  for (const g of xml.matchAll(/<extraports\b([^>]*)>([\s\S]*?)<\/extraports>/g)) {
    const state = toState(attr(g[1]!, 'state') ?? '');
    for (const r of g[2]!.matchAll(/<extrareasons\b[^>]*>/g)) {
      const tag = r[0];
      if ((attr(tag, 'proto') ?? 'tcp') !== 'tcp') continue;
      const ports = attr(tag, 'ports');
      if (ports) for (const p of expandRanges(ports)) states.set(p, state);
    }
  }
  const fin = /<finished\b[^>]*>/.exec(xml)?.[0];
  const exit = fin ? attr(fin, 'exit') : undefined;
  return { states, finished: exit === 'success' ? 'success' : exit ? 'error' : 'missing', errorMessage: fin ? attr(fin, 'errormsg') : undefined };
}
