import type { Verdict } from '../../harness/core/verdict.js';

/** Colours chosen to stay distinguishable for red-green colour-blind readers (blue/orange/red/grey). */
export const VERDICT_COLOURS: Record<Verdict, { bg: string; fg: string }> = {
  PASS: { bg: '#1a7f37', fg: '#ffffff' },
  FAIL: { bg: '#cf222e', fg: '#ffffff' },
  INCONCLUSIVE: { bg: '#bf8700', fg: '#ffffff' },
  ERROR: { bg: '#8250df', fg: '#ffffff' },
  NOT_APPLICABLE: { bg: '#d0d7de', fg: '#24292f' },
  NOT_RUN: { bg: '#eaeef2', fg: '#57606a' },
};

export const VERDICT_EMOJI: Record<Verdict, string> = {
  PASS: '✅', FAIL: '❌', INCONCLUSIVE: '⚠️', ERROR: '🛑', NOT_APPLICABLE: '➖', NOT_RUN: '⏸️',
};
