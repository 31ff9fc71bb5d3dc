/**
 * Figure 4 — suite time: the full standard suite (every scenario the catalog has today) against the
 * hardened simulator, wall time versus the sum of the waits the device itself imposes, as declared in
 * targets/sim-hardened.yaml. The difference is the harness's own overhead (process start-up, the scenario host,
 * connections, probes, report rendering), quoted in seconds and as a share of the wall time.
 *
 * Declared device waits, per scenario that actually ran (verdict not NOT_RUN / NOT_APPLICABLE), from
 * the profile (see declaredWaits below; the formula is in the table's notes):
 *   lockout                 Σ over the lockout interfaces the target has: durationMs (the device holds the
 *                           lock that long; polling past it, up to toleranceMs, counts as overhead); with
 *                           independentCounters declared, the Σ of the longest concurrent lane only
 *   idle-session-timeout    idleTimeoutMs per session endpoint (console serial, TCP); once when the profile
 *                           declares independentIdleSessions (the endpoints are waited out at once)
 *   safe-state-master-loss, link-loss, broker-outage
 *                           max(watchdogMs, reactionMs) to reach the safe state + recoveryMs after the master returns
 *   request-storm, malformed-input
 *                           recoveryMs after the fault (the storm / malformed cases themselves are the
 *                           harness's stimulus, chosen by it, so they count as harness time)
 *   default-credentials     0, plus durationMs+toleranceMs each time the evidence shows it waited out a lock
 *   every other scenario    0 (no declared wait: all its time is the harness's)
 * These are lower bounds of what any harness must wait, so the overhead is an upper bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../harness/core/result-schema.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { prepareTarget } from '../harness/cli/prepared-target.js';
import { lockoutLanes } from '../harness/oracles/lockout-lanes.js';
import { interfacesOffering } from '../harness/protocols/registry.js';
import { runTargetFile as runTarget } from '../harness/cli/run-and-report.js';
import type { BenchRow } from './report-table.js';
import { summarize } from './stats.js';
import { ensureSimSecrets, repoRoot, startSimChild, type BenchOptions, type FigureResult } from './support.js';

export interface DeclaredWait {
  scenarioId: string;
  ms: number;
  formula: string;
}


/** Device-imposed waits of the scenarios in `report` (see the module comment for the formula). */
export function declaredWaits(p: TargetProfile, report: Report, evidenceText = ''): DeclaredWait[] {
  const ran = report.results.filter((r) => r.verdict !== 'NOT_RUN' && r.verdict !== 'NOT_APPLICABLE').map((r) => r.scenarioId);
  const out: DeclaredWait[] = [];
  const lock = p.policy.lockout;
  const ss = p.policy.safeState;
  const has = (i: string) => !!(p.interfaces as Record<string, unknown>)[i];
  for (const id of ran) {
    if (id === 'lockout' && lock) {
      // Walks of independent counters run at the same time (policy.lockout.independentCounters): the
      // device forces only the longest lane's locks, so the declared wait is that lane's (a smaller
      // wait, hence a larger, never flattering, overhead).
      const lanes = lockoutLanes(p, lock.interfaces.filter(has));
      const n = Math.max(0, ...lanes.map((l) => l.length));
      const how = lanes.length > 1 ? ` (longest of ${lanes.length} concurrent lanes: ${lanes.map((l) => l.join('+')).join(' | ')})` : '';
      out.push({ scenarioId: id, ms: n * lock.durationMs, formula: `${n} interfaces × lockout.durationMs ${lock.durationMs}${how}` });
    } else if (id === 'idle-session-timeout' && p.policy.idleTimeoutMs) {
      // One idle timeout per session endpoint, waited out one after another; with
      // independentIdleSessions declared, the endpoints' waits overlap and the device imposes one.
      const endpoints = interfacesOffering(p, 'idleSession').length;
      const n = p.policy.independentIdleSessions ? Math.min(1, endpoints) : endpoints;
      const how = p.policy.independentIdleSessions && endpoints > 1 ? ` (${endpoints} endpoints at once: independentIdleSessions)` : '';
      out.push({ scenarioId: id, ms: n * p.policy.idleTimeoutMs, formula: `${n} × idleTimeoutMs ${p.policy.idleTimeoutMs}${how}` });
    } else if ((id === 'safe-state-master-loss' || id === 'link-loss' || id === 'broker-outage') && ss) {
      out.push({ scenarioId: id, ms: Math.max(ss.watchdogMs, ss.reactionMs) + ss.recoveryMs, formula: `max(watchdogMs, reactionMs) ${Math.max(ss.watchdogMs, ss.reactionMs)} + recoveryMs ${ss.recoveryMs}` });
    } else if ((id === 'request-storm' || id === 'malformed-input') && ss) {
      // The stimulus itself (storm steps, malformed cases) is the harness's choice, not a device wait.
      out.push({ scenarioId: id, ms: ss.recoveryMs, formula: `recoveryMs ${ss.recoveryMs} after the fault` });
    } else if (id === 'default-credentials' && lock) {
      const n = (evidenceText.match(/waiting out a possible lock/g) ?? []).length;
      out.push({ scenarioId: id, ms: n * (lock.durationMs + lock.toleranceMs), formula: `${n} lock wait-outs × (durationMs + toleranceMs)` });
    } else out.push({ scenarioId: id, ms: 0, formula: 'no declared wait' });
  }
  return out;
}

export async function benchSuiteTime(o: BenchOptions): Promise<FigureResult> {
  const problems: string[] = [];
  // Smoke: one fast scenario is enough to prove the plumbing; the full run takes the whole catalog.
  const scenarioIds = o.smoke ? ['port-closure'] : undefined;
  const sim = await startSimChild({ opcua: !o.smoke });
  const env = { ...process.env, ...ensureSimSecrets(), ...sim.targetEnv };
  const targetFile = join(repoRoot, 'targets/sim-hardened.yaml');
  const profile = prepareTarget(targetFile, env).profile;
  // The suite is the longest figure (a minute or more per repetition): at most 3 repetitions.
  const reps = Math.min(o.reps, 3);
  const wall: number[] = [];
  const waits: number[] = [];
  let lastWaits: DeclaredWait[] = [];
  let verdicts = '';
  try {
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const r = await runTarget({ targetFile, runDir: join(o.workDir, `suite-${i}`), scenarioIds, env });
      wall.push((performance.now() - t0) / 1000);
      const evidence = readFileSync(join(r.runDir, 'evidence.jsonl'), 'utf8');
      lastWaits = declaredWaits(profile, r.report, evidence);
      waits.push(lastWaits.reduce((s, w) => s + w.ms, 0) / 1000);
      // Verdict and duration per scenario, so the table shows where the suite's time goes.
      verdicts = r.report.results.map((x) => `${x.scenarioId} ${x.verdict} ${(x.durationMs / 1000).toFixed(1)} s`).join(', ');
      const bad = r.report.results.filter((x) => x.verdict !== 'PASS' && x.verdict !== 'NOT_APPLICABLE');
      if (bad.length) problems.push(`suite time rep ${i + 1}: hardened simulator not clean: ${bad.map((x) => `${x.scenarioId} ${x.verdict} (${x.reason.slice(0, 120)})`).join('; ')}`);
    }
  } finally {
    await sim.stop();
  }
  const overhead = wall.map((w, i) => w - waits[i]!);
  const pct = wall.map((w, i) => (100 * overhead[i]!) / w);
  const wallM = { ...summarize(wall), unit: 's' };
  const waitM = { ...summarize(waits), unit: 's' };
  const formula = lastWaits.filter((w) => w.ms > 0).map((w) => `${w.scenarioId}: ${w.formula}`).join('; ') || 'no scenario with a declared wait ran';
  const rows: BenchRow[] = [
    {
      id: 'suite.wall',
      item: 4,
      figure: `Suite wall time vs declared device waits (sim-hardened, ${o.smoke ? 'port-closure only (smoke)' : 'full catalog, OPC UA on'})`,
      hil: wallM,
      referenceName: 'sum of waits declared in the profile',
      reference: waitM,
      ratio: waitM.median > 0 ? wallM.median / waitM.median : null,
      ratioMeaning: 'wall / declared waits',
      repetitions: reps,
      notes: `ran: ${verdicts}. Waits: ${formula}`,
    },
    {
      id: 'suite.overhead',
      item: 4,
      figure: 'Harness overhead (wall − declared waits)',
      hil: { ...summarize(overhead), unit: 's' },
      repetitions: reps,
      notes: 'upper bound: every second not declared by the device counts as harness time (start-up, the scenario host, probes, rendering)',
    },
    {
      id: 'suite.overhead-pct',
      item: 4,
      figure: 'Harness overhead, share of wall time',
      hil: { ...summarize(pct), unit: '%' },
      repetitions: reps,
      notes: '',
    },
  ];
  return { rows, problems };
}
