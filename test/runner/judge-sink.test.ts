import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DeadlineError } from '../../harness/core/deadline.js';
import { Findings, type Judgement } from '../../harness/core/finding.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { parseTarget } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { InterfaceFindings } from '../../harness/protocols/capabilities/interface-findings.js';
import { ScenarioContext, VerdictStop } from '../../harness/runner/scenario-context.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';

/**
 * ctx.judge: a procedure writes into the scenario's sink as it goes, so what it proved is recorded
 * whether it returns or throws (a FAIL before a device timeout stays a FAIL, the ERROR after it).
 */
const profile = parseTarget(
  {
    name: 'judge-sink',
    identity: { vendor: 'Test', model: 'JS', firmware: '1', serial: 'J-1' },
    interfaces: { modbus: { tcp: 'tcp://127.0.0.1:1502' } },
    policy: { ports: { tcp: [1502] } },
  },
  '<judge-sink>',
);

const def: ScenarioDefinition = {
  id: 'judge-sink',
  title: 'test-only: procedures through ctx.judge',
  requirements: ['TEST:1'],
  interfaces: ['modbus-tcp'],
  changesState: false,
  budgetMs: () => 10_000,
  run: async () => undefined,
};

function context(): ScenarioContext {
  const secrets = resolveSecrets(profile, process.env);
  const evidence = new EvidenceLog(mkdtempSync(join(tmpdir(), 'hil-judge-')), 'test-judge', secrets.redactor);
  return new ScenarioContext(def, profile, secrets, evidence, new AbortController().signal);
}

async function runScenario(run: ScenarioDefinition['run']) {
  const secrets = resolveSecrets(profile, process.env);
  const evidence = new EvidenceLog(mkdtempSync(join(tmpdir(), 'hil-judge-')), 'test-judge', secrets.redactor);
  return executeScenario({ ...def, run }, { target: profile, secrets, evidence });
}

const STORED = 'out-of-range 9999 stored on modbus-tcp (read back 9999)';

/** A procedure in the sink style: a FAIL, then (optionally) a device that stops answering. */
async function probe(out?: Findings, opts: { throwAfter?: boolean } = {}): Promise<Judgement<number>> {
  const f = new InterfaceFindings('modbus-tcp', out);
  f.measure('original', 20);
  f.check('max+1 refused', { expected: 'refused', actual: 'stored', passed: false, reason: STORED });
  if (opts.throwAfter) throw new DeadlineError('modbus read of heaterSetpoint', 1000);
  return f.with(42);
}

describe('Findings on a sink', () => {
  test('a collector on a sink writes into the sink at once; add of a judgement on the same array adds nothing', () => {
    const sink = new Findings();
    const outer = new Findings(sink);
    const inner = new InterfaceFindings('mqtt', outer);
    inner.check('c', { expected: 1, actual: 1, passed: true, reason: 'r' });
    expect(sink.findings).toHaveLength(1);
    expect(sink.findings[0]).toMatchObject({ kind: 'check', name: 'c', iface: 'mqtt' });
    outer.add(inner);
    outer.add(inner.with(undefined));
    expect(sink.findings).toHaveLength(1);
    // Without a sink, add appends as before.
    const own = new Findings();
    own.note('x');
    outer.add(own);
    expect(sink.findings.map((f) => f.kind)).toEqual(['check', 'note']);
  });
});

describe('ctx.judge', () => {
  test('return path: records the findings once and hands back the value', async () => {
    const ctx = context();
    const v = await ctx.judge((out) => probe(out));
    expect(v).toBe(42);
    expect(ctx.measurements.map((m) => m.name)).toEqual(['original']);
    expect(ctx.checks).toEqual([{ name: 'max+1 refused', verdict: 'FAIL', iface: 'modbus-tcp', reason: STORED }]);
  });

  test('return path of a procedure that ignores the sink (own array): its findings are recorded too', async () => {
    const ctx = context();
    const v = await ctx.judge(() => probe(undefined));
    expect(v).toBe(42);
    expect(ctx.checks).toEqual([{ name: 'max+1 refused', verdict: 'FAIL', iface: 'modbus-tcp', reason: STORED }]);
  });

  test('throw path: what was written before the throw is recorded, then the original error is rethrown', async () => {
    const ctx = context();
    const err = await ctx.judge((out) => probe(out, { throwAfter: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect(ctx.checks).toEqual([{ name: 'max+1 refused', verdict: 'FAIL', iface: 'modbus-tcp', reason: STORED }]);
    expect(ctx.measurements.map((m) => m.name)).toEqual(['original']);
  });

  test('a synchronous throw is handled the same way', async () => {
    const ctx = context();
    const err = await ctx
      .judge((out) => {
        new Findings(out).verdict('FAIL', 'debug shell open on 2323', 'network');
        throw new Error('socket hang up');
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('socket hang up');
    expect(ctx.verdicts).toEqual([{ verdict: 'FAIL', reason: 'debug shell open on 2323', iface: 'network' }]);
  });

  test('failed control on return: recorded, then it stops like recordFindings (VerdictStop); nothing after it is lost', async () => {
    const ctx = context();
    const err = await ctx
      .judge((out) => {
        const f = new InterfaceFindings('modbus-tcp', out);
        if (!f.control('in-range write takes effect', { passed: false, actual: 'read back 20', reason: 'positive control failed', onFail: 'INCONCLUSIVE' })) return f.halted<number>();
        return f.with(1);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerdictStop);
    expect((err as VerdictStop).verdict).toBe('INCONCLUSIVE');
    expect(ctx.checks).toEqual([{ name: 'control: in-range write takes effect', verdict: 'INCONCLUSIVE', iface: 'modbus-tcp', reason: 'positive control failed' }]);
  });

  test('failed control then a throw: the control is recorded and the original error (not the stop) is rethrown', async () => {
    const ctx = context();
    const err = await ctx
      .judge((out) => {
        new InterfaceFindings('modbus-tcp', out).control('original readable', { passed: false, actual: 'timeout', reason: 'cannot read the original' });
        throw new Error('restore failed');
      })
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(VerdictStop);
    expect((err as Error).message).toBe('restore failed');
    expect(ctx.checks.map((c) => [c.name, c.verdict])).toEqual([['control: original readable', 'INCONCLUSIVE']]);
  });

  test('nested procedures on the same sink with add: every finding recorded exactly once', async () => {
    const ctx = context();
    const sub = async (out: Findings): Promise<Judgement> => {
      const f = new InterfaceFindings('mqtt', out);
      f.check('anonymous CONNECT refused', { expected: 'refused', actual: 'CONNACK 0', passed: false, reason: 'anonymous CONNECT accepted' });
      return f;
    };
    await ctx.judge(async (out) => {
      const f = new Findings(out);
      f.note('start');
      f.add(await sub(f));
      f.add(await sub(out));
      return f;
    });
    expect(ctx.checks.map((c) => c.name)).toEqual(['anonymous CONNECT refused', 'anonymous CONNECT refused']);
    expect(ctx.assertions).toHaveLength(2);
  });
});

describe('in a scenario: FAIL first survives a later throw', () => {
  test('through ctx.judge: FAIL, the FAIL listed first and the ERROR after it', async () => {
    const r = await runScenario(async (ctx) => {
      await ctx.forEachInterface(['modbus-tcp'], async () => {
        await ctx.judge((out) => probe(out, { throwAfter: true }));
      });
    });
    expect(r.verdict).toBe('FAIL');
    expect(r.reason).toMatch(new RegExp(`^\\[modbus-tcp\\] ${STORED.replace(/[()]/g, '\\$&')}; ERROR: \\[modbus-tcp\\] device did not answer in time`));
    expect(r.perInterface).toEqual({ 'modbus-tcp': 'FAIL' });
  });

  test('the old way (recordFindings of the returned judgement) loses the FAIL: only ERROR', async () => {
    const r = await runScenario(async (ctx) => {
      await ctx.forEachInterface(['modbus-tcp'], async () => {
        ctx.recordFindings(await probe(undefined, { throwAfter: true }));
      });
    });
    expect(r.verdict).toBe('ERROR');
  });
});
