import { describe, expect, test } from 'vitest';
import { measurement } from '../../harness/core/measurement.js';
import { exitCodeFor, worstVerdict, type Verdict } from '../../harness/core/verdict.js';

describe('verdict aggregation and the exit code: FAIL first', () => {
  test('a FAIL wins over ERROR, INCONCLUSIVE and NOT_RUN wherever verdicts are combined', () => {
    expect(worstVerdict(['PASS', 'ERROR', 'FAIL', 'INCONCLUSIVE'])).toBe('FAIL');
    expect(worstVerdict(['FAIL', 'ERROR'])).toBe('FAIL');
    expect(worstVerdict(['PASS', 'ERROR', 'INCONCLUSIVE'])).toBe('ERROR');
    expect(worstVerdict(['PASS', 'NOT_APPLICABLE'])).toBe('PASS');
    expect(worstVerdict([])).toBe('NOT_RUN');
  });

  const cases: [Verdict[], 0 | 1 | 2][] = [
    [['PASS', 'NOT_APPLICABLE'], 0],
    [[], 0],
    [['PASS', 'FAIL'], 1],
    [['FAIL', 'ERROR'], 1],
    [['ERROR', 'FAIL', 'INCONCLUSIVE', 'NOT_RUN'], 1],
    [['PASS', 'ERROR'], 2],
    [['INCONCLUSIVE', 'ERROR'], 2],
    [['NOT_RUN', 'ERROR'], 2],
    [['PASS', 'INCONCLUSIVE'], 1],
    [['PASS', 'NOT_RUN'], 1],
  ];
  test.each(cases)('exitCodeFor(%j) = %i: 1 whenever a FAIL exists, 2 only for ERROR without FAIL', (vs, code) => {
    expect(exitCodeFor(vs)).toBe(code);
  });
});

describe("a measurement's passed agrees with its limits", () => {
  test('a count against equals 0 passes at 0 and fails above; a list without limits decides nothing', () => {
    expect(measurement('unexpectedOpenTcpPortCount', 0, { limits: { equals: 0 } }).passed).toBe(true);
    expect(measurement('unexpectedOpenTcpPortCount', 2, { limits: { equals: 0 } }).passed).toBe(false);
    expect(measurement('unexpectedOpenTcpPorts', []).passed).toBeUndefined();
  });
});
