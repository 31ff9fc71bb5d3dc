/** Escaping for the text renderers. XML 1.0 forbids most control characters even as references, so they are dropped. */

// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(s: string): string {
  return s
    .replace(XML_INVALID, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** HTML escaping is the same set; kept as its own name so call sites say which document they write. */
export const escapeHtml = escapeXml;

/** Markdown table cells: pipes and newlines would break the row. */
export function escapeMdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Short JSON-ish rendering of an unknown value for tables (expected/actual, measurement values). */
export function formatValue(v: unknown, max = 200): string {
  let s: string;
  if (v === undefined) s = '—';
  else if (typeof v === 'string') s = v;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
