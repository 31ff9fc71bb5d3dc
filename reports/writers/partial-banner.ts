import { escapeHtml as h, escapeMdCell } from '../html/escape.js';
import type { RenderInput } from '../runs/render-input.js';

/**
 * The notice at the top of report.html and summary.md of a run whose evidence has no seal
 * (killed, or cut off), and the restorations nobody completed: what may still be changed on the
 * device until `hil restore` has run.
 */
function lines(run: RenderInput): { head?: string; restorations: string[] } {
  const last = run.records[run.records.length - 1];
  const head = run.report.run.partial
    ? `PARTIAL RUN: the evidence has no seal and ends at seq ${last?.seq ?? 'none'}${last ? ` (${last.t})` : ''}; scenarios after that point were not run or did not finish.`
    : undefined;
  const restorations = (run.outstanding ?? []).map(
    (o) => `${o.point} on ${o.path}: original ${o.original}${o.unit ? ` ${o.unit}` : ''}, not restored (planned at seq ${o.seq}${o.scenario ? ` by ${o.scenario}` : ''}; ${o.how})`,
  );
  return { ...(head ? { head } : {}), restorations };
}

export function partialBannerMarkdown(run: RenderInput): string {
  const { head, restorations } = lines(run);
  if (!head && !restorations.length) return '';
  const out = head ? [`> **${head}**`] : [];
  if (restorations.length) {
    out.push(`> **Outstanding restorations** (the device may still be changed; run \`hil restore <dir> --target <profile>\`):`);
    for (const r of restorations) out.push(`> - ${escapeMdCell(r)}`);
  }
  return `${out.join('\n')}\n\n`;
}

export function partialBannerHtml(run: RenderInput): string {
  const { head, restorations } = lines(run);
  if (!head && !restorations.length) return '';
  const list = restorations.length
    ? `<p><strong>Outstanding restorations</strong> (the device may still be changed; run <code>hil restore &lt;dir&gt; --target &lt;profile&gt;</code>):</p><ul>${restorations.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`
    : '';
  return `<div class="banner" id="partial" style="background:#ffebe9;border-color:#cf222e">${head ? `<strong>${h(head)}</strong>` : ''}${list}</div>\n`;
}
