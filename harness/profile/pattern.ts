/**
 * Device patterns in profiles are regular expressions; a leading inline flag group such as
 * `(?i)` or `(?im)` (common in other tools, not in JavaScript) is turned into RegExp flags.
 */
export function compilePattern(source: string): RegExp {
  const m = /^\(\?([im]+)\)/.exec(source);
  return m ? new RegExp(source.slice(m[0].length), [...new Set(m[1]!)].join('')) : new RegExp(source);
}

export function isValidPattern(source: string): boolean {
  try {
    compilePattern(source);
    return true;
  } catch {
    return false;
  }
}
