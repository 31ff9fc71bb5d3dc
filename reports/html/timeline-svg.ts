import type { Report } from '../../harness/core/result-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { escapeXml } from './escape.js';
import { makeClock } from '../runs/evidence-clock.js';
import { VERDICT_COLOURS } from './verdict-style.js';

/**
 * Swim-lane timeline: one lane per channel, all on one time axis (CLOCK_MONOTONIC anchored to UTC),
 * scenario spans as bands behind the lanes. Inline SVG so the page needs nothing from outside.
 */
const DIR_COLOURS: Record<EvidenceRecord['dir'], string> = {
  tx: '#0969da', rx: '#1a7f37', open: '#57606a', close: '#57606a', error: '#cf222e',
  event: '#6e7781', sample: '#8c959f', fault: '#fb8500', verdict: '#24292f',
};

const WIDTH = 1200;
const LABEL_W = 130;
const LANE_H = 26;
const TOP = 48;
const MAX_MARKS_PER_LANE = 1200;

export function renderTimelineSvg(report: Report, records: EvidenceRecord[]): string {
  if (records.length === 0) return '<p class="muted">No evidence records.</p>';
  const clock = makeClock(records);
  const times = records.map(clock);
  let t0 = times[0]!;
  let t1 = times[0]!;
  for (const t of times) {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
  }
  const span = t1 > t0 ? t1 - t0 : 1n;
  const plotW = WIDTH - LABEL_W - 10;
  const x = (t: bigint): number => LABEL_W + Number(((t - t0) * BigInt(Math.round(plotW * 1000))) / span) / 1000;

  const lanes: string[] = [];
  for (const r of records) if (!lanes.includes(r.channel)) lanes.push(r.channel);
  const height = TOP + lanes.length * LANE_H + 24;
  const parts: string[] = [];

  // Scenario bands.
  const verdictOf = new Map(report.results.map((r) => [r.scenarioId, r.verdict]));
  const spans = new Map<string, { a: bigint; b: bigint }>();
  records.forEach((r, i) => {
    if (!r.scenario) return;
    const s = spans.get(r.scenario);
    const t = times[i]!;
    if (!s) spans.set(r.scenario, { a: t, b: t });
    else s.b = t > s.b ? t : s.b;
  });
  let band = 0;
  for (const [id, s] of spans) {
    const v = verdictOf.get(id);
    const colour = v ? VERDICT_COLOURS[v].bg : '#8c959f';
    const xa = x(s.a);
    const w = Math.max(2, x(s.b) - xa);
    parts.push(
      `<g><title>${escapeXml(`${id}: ${v ?? 'no verdict'}`)}</title><rect x="${xa.toFixed(1)}" y="${TOP - 4}" width="${w.toFixed(1)}" height="${lanes.length * LANE_H + 4}" fill="${colour}" fill-opacity="${band % 2 ? 0.08 : 0.14}"/>` +
        `<rect x="${xa.toFixed(1)}" y="${(TOP - 14 - (band % 2) * 0).toFixed(1)}" width="${w.toFixed(1)}" height="8" fill="${colour}"/>` +
        (w > 60 ? `<text x="${(xa + 2).toFixed(1)}" y="${TOP - 17}" class="tl-band">${escapeXml(id)}</text>` : '') +
        '</g>',
    );
    band++;
  }

  // Lanes and marks; dense lanes are thinned to one mark per pixel column and direction.
  lanes.forEach((lane, li) => {
    const y = TOP + li * LANE_H;
    parts.push(`<rect x="0" y="${y}" width="${WIDTH}" height="${LANE_H}" fill="${li % 2 ? '#ffffff' : '#f6f8fa'}" fill-opacity="0.6"/>`);
    parts.push(`<text x="6" y="${y + LANE_H / 2 + 4}" class="tl-lane">${escapeXml(lane)}</text>`);
    const seen = new Set<string>();
    let marks = 0;
    records.forEach((r, i) => {
      if (r.channel !== lane) return;
      const px = x(times[i]!);
      const k = `${Math.round(px)}|${r.dir}`;
      if (seen.has(k) || marks >= MAX_MARKS_PER_LANE) return;
      seen.add(k);
      marks++;
      const yy = r.dir === 'rx' ? y + LANE_H / 2 + 1 : r.dir === 'tx' ? y + 4 : y + 7;
      const h = r.dir === 'tx' || r.dir === 'rx' ? LANE_H / 2 - 5 : LANE_H - 14;
      const label = `#${r.seq} ${r.dir} ${r.t}${r.text ? ` ${r.text.slice(0, 80)}` : ''}`;
      parts.push(`<rect x="${px.toFixed(1)}" y="${yy}" width="2" height="${h}" fill="${DIR_COLOURS[r.dir]}"><title>${escapeXml(label)}</title></rect>`);
    });
  });

  // Axis: seconds since the first record.
  const axisY = TOP + lanes.length * LANE_H + 14;
  const totalS = Number(span) / 1e9;
  const step = niceStep(totalS / 8);
  for (let s = 0; s <= totalS + 1e-9; s += step) {
    const px = LABEL_W + (s / (totalS || 1)) * plotW;
    parts.push(`<line x1="${px.toFixed(1)}" y1="${TOP - 4}" x2="${px.toFixed(1)}" y2="${axisY - 10}" stroke="#d0d7de" stroke-width="0.5"/>`);
    parts.push(`<text x="${px.toFixed(1)}" y="${axisY}" class="tl-axis" text-anchor="middle">+${fmtSeconds(s, step)}</text>`);
  }
  const legend = (['tx', 'rx', 'event', 'fault', 'error', 'verdict'] as const)
    .map((d, i) => `<rect x="${WIDTH - 6 * 70 + i * 70}" y="5" width="10" height="10" fill="${DIR_COLOURS[d]}"/><text x="${WIDTH - 6 * 70 + i * 70 + 14}" y="14" class="tl-axis">${d}</text>`)
    .join('');
  return (
    `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height + 6}" width="100%" role="img" aria-label="timeline of all channels">` +
    `<text x="6" y="14" class="tl-axis">t0 = ${escapeXml(new Date(Number(t0 / 1_000_000n)).toISOString())}</text>${legend}` +
    parts.join('') +
    '</svg>'
  );
}

function niceStep(raw: number): number {
  if (raw <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}

function fmtSeconds(s: number, step: number): string {
  const digits = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
  return `${s.toFixed(digits)} s`;
}
