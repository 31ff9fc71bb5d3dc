import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { parseTarget } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import type { TargetProfile } from '../../harness/profile/target-schema.js';
import { registerProtocol } from '../../harness/protocols/registry.js';
import { DeadlineError } from '../../harness/core/deadline.js';
import { VerdictStop } from '../../harness/runner/scenario-context.js';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import lockout from '../../scenarios/lockout.scenario.js';
import lineLoginProtocol from '../fixtures/line-login/index.js';

/**
 * FAIL first: a check that proved a violation keeps its FAIL whatever errors on another interface,
 * later on the same interface, or in teardown; the scenario is FAIL and its reason starts with it.
 */
registerProtocol(lineLoginProtocol);

const base = {
  name: 'fail-first',
  identity: { vendor: 'Test', model: 'FF', firmware: '1', serial: 'F-1' },
  interfaces: { modbus: { tcp: 'tcp://127.0.0.1:1502' }, mqtt: { url: 'mqtt://127.0.0.1:1883', topics: { telemetry: 't', command: 'c' } } },
  policy: { ports: { tcp: [1502, 1883] } },
};

async function run(def: ScenarioDefinition, profile: TargetProfile = parseTarget(base, '<fail-first>'), env: NodeJS.ProcessEnv = process.env) {
  const secrets = resolveSecrets(profile, env);
  const evidence = new EvidenceLog(mkdtempSync(join(tmpdir(), 'hil-ff-')), `test-${def.id}`, secrets.redactor);
  return executeScenario(def, { target: profile, secrets, evidence });
}

/** A test-only scenario over Modbus TCP and MQTT whose body is given. */
function twoInterfaces(body: (iface: string, ctx: Parameters<ScenarioDefinition['run']>[0]) => Promise<void>, budgetMs = 10_000): ScenarioDefinition {
  return {
    id: 'two-interfaces',
    title: 'test-only: one check per interface',
    requirements: ['TEST:1'],
    interfaces: ['modbus-tcp', 'mqtt'],
    changesState: false,
    budgetMs: () => budgetMs,
    run: (ctx) => ctx.forEachInterface(['modbus-tcp', 'mqtt'], (iface) => body(iface, ctx)).then(() => undefined),
  };
}

const OUT_OF_RANGE = 'out-of-range FC16 write of 9999 stored on modbus-tcp (read back 9999, monitor 9999)';

describe('a proven FAIL is never hidden', () => {
  test('one interface FAILs, the other ERRORs → scenario FAIL, the reason starts with the FAIL and still names the ERROR', async () => {
    const r = await run(
      twoInterfaces(async (iface, ctx) => {
        if (iface === 'modbus-tcp') ctx.check('outOfRangeRefused[modbus-tcp]', { expected: 'refused', actual: 'stored', passed: false, iface, reason: OUT_OF_RANGE });
        else throw new Error('MQTT CONNACK 5 (not authorized)');
      }),
    );
    expect(r.verdict).toBe('FAIL');
    expect(r.reason.startsWith(`[modbus-tcp] ${OUT_OF_RANGE}`)).toBe(true);
    expect(r.reason).toContain('ERROR: [mqtt] Error: MQTT CONNACK 5');
    expect(r.perInterface).toEqual({ 'modbus-tcp': 'FAIL', mqtt: 'ERROR' });
    expect(r.checks).toEqual([
      { name: 'outOfRangeRefused[modbus-tcp]', verdict: 'FAIL', iface: 'modbus-tcp', reason: OUT_OF_RANGE },
      { name: 'exception', verdict: 'ERROR', iface: 'mqtt', reason: 'Error: MQTT CONNACK 5 (not authorized)' },
    ]);
  });

  test('the ERROR first and the FAIL second: the reason still lists the FAIL first', async () => {
    const r = await run(
      twoInterfaces(async (iface, ctx) => {
        if (iface === 'modbus-tcp') throw new DeadlineError('modbus read', 1000);
        ctx.assess({ name: 'rangeWrite[mqtt]', limits: { equals: false }, iface, failReason: () => 'out-of-range MQTT command applied' }, true);
      }),
    );
    expect(r.verdict).toBe('FAIL');
    expect(r.reason).toMatch(/^\[mqtt\] out-of-range MQTT command applied; ERROR: \[modbus-tcp\] device did not answer in time/);
    expect(r.checks?.map((c) => [c.name, c.verdict])).toEqual([
      ['exception', 'ERROR'],
      ['rangeWrite[mqtt]', 'FAIL'],
    ]);
  });

  test('an exception after a FAIL on the same interface does not replace it; neither do INCONCLUSIVE, a stop or a teardown error', async () => {
    const r = await run(
      twoInterfaces(async (iface, ctx) => {
        ctx.defer('restore', () => {
          throw new Error('restore failed');
        });
        if (iface === 'mqtt') return ctx.pass('mqtt fine', iface);
        ctx.check('good after 3 failures', { expected: 'refused', actual: 'accepted', passed: false, iface, reason: 'good password accepted after 3 failures' });
        ctx.inconclusive('attempt 5 gave no decision', iface);
        ctx.control('still reachable', { passed: false, actual: 'connection dropped', iface, reason: 'line dropped', onFail: 'ERROR' });
      }),
    );
    expect(r.verdict).toBe('FAIL');
    expect(r.perInterface).toEqual({ 'modbus-tcp': 'FAIL', mqtt: 'PASS' });
    expect(r.reason).toBe('[modbus-tcp] good password accepted after 3 failures; ERROR: [modbus-tcp] line dropped; ERROR: teardown "restore" failed: restore failed; INCONCLUSIVE: [modbus-tcp] attempt 5 gave no decision');
    expect(r.checks?.find((c) => c.name === 'good after 3 failures')?.verdict).toBe('FAIL');
  });

  test('a FAIL then the time budget running out → FAIL (the budget ERROR is listed after it)', async () => {
    const r = await run(
      twoInterfaces(async (iface, ctx) => {
        if (iface === 'mqtt') return;
        ctx.fail('debug shell open on 2323', iface);
        await new Promise<void>((_, rej) => ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason)));
      }, 300),
    );
    expect(r.verdict).toBe('FAIL');
    expect(r.reason).toMatch(/^\[modbus-tcp\] debug shell open on 2323; ERROR: time budget of 300 ms exhausted/);
  });

  test('without a FAIL the worst undecided verdict wins as before: ERROR over INCONCLUSIVE, PASS parts do not hide it', async () => {
    const r = await run(
      twoInterfaces(async (iface, ctx) => {
        if (iface === 'mqtt') throw new VerdictStop('INCONCLUSIVE', 'positive control failed on mqtt', iface);
        ctx.pass('fine', iface);
        throw new Error('socket hang up');
      }),
    );
    expect(r.verdict).toBe('ERROR');
    expect(r.reason).toBe('[modbus-tcp] Error: socket hang up; INCONCLUSIVE: [mqtt] positive control failed on mqtt');
    expect(r.perInterface).toEqual({ 'modbus-tcp': 'ERROR', mqtt: 'INCONCLUSIVE' });
  });
});

/**
 * A line device that never locks (every good login works) and drops the connection, unanswered,
 * from its `dropFrom`-th connection on: a walk that saw "good after 3 failures: accepted" then
 * lost the line.
 */
async function neverLockingDevice(password: string, dropFrom: number): Promise<{ port: number; connections: () => number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let n = 0;
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    if (++n >= dropFrom) return s.destroy();
    let buf = '';
    let ok = false;
    s.on('data', (d) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const [cmd, , pass] = buf.slice(0, nl).trim().split(' ');
        buf = buf.slice(nl + 1);
        if (cmd === 'LOGIN') s.write((ok = pass === password) ? 'OK\n' : 'DENIED\n');
        else s.write(cmd === 'STATUS' && ok ? 'STATUS ok\n' : 'ERR\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => n,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('a lockout walk that proved no lock and then lost the line', () => {
  test('"good after 3 failures: accepted", then dropped connections → FAIL naming the accepted logins, the undecided attempt after it', { timeout: 60_000 }, async () => {
    const password = 'Walk-Secret-7h#';
    const env = { ...process.env, HIL_FF_LINE_PW: password };
    // control 1, round 1: 2 bad + good (4), round 2: 2 bad + good (7), threshold: 3 bad + good (11),
    // late k=4: 4 bad + good (16); from the 17th connection the line is dropped.
    const dev = await neverLockingDevice(password, 17);
    try {
      const profile = parseTarget(
        {
          name: 'walk-drop',
          identity: { vendor: 'Test', model: 'Walk', firmware: '1', serial: 'W-1' },
          interfaces: { 'line-login': { url: `tcp://127.0.0.1:${dev.port}`, timeoutMs: 1000 } },
          credentials: { admin: { username: 'op', password: { env: 'HIL_FF_LINE_PW' }, role: 'admin' } },
          policy: { ports: { tcp: [dev.port] }, lockout: { threshold: 3, durationMs: 1000, toleranceMs: 500, interfaces: ['line-login'], resetOnSuccess: true } },
          allowStateChanges: true,
        },
        '<walk-drop>',
        env,
      );
      const r = await run(lockout, profile, env);
      expect(dev.connections()).toBeGreaterThanOrEqual(17);
      expect(r.verdict, r.reason).toBe('FAIL');
      expect(r.reason).toMatch(/^\[line-login\] good password still accepted on line-login after 3, 4 failed logins \(no lockout at the declared 3\)/);
      expect(r.reason).toMatch(/INCONCLUSIVE: \[line-login\] an attempt gave no decision during the lockout walk/);
      expect(r.perInterface).toEqual({ 'line-login': 'FAIL' });
      expect(r.checks?.find((c) => c.name === 'lockoutThreshold[line-login]')?.verdict).toBe('FAIL');
    } finally {
      await dev.stop();
    }
  });
});
