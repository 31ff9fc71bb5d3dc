import { EvidenceLog } from '../evidence/evidence-log.js';
import { RestorationJournal, type RestorationPlan } from '../evidence/restoration-record.js';
import { sealEvidence } from '../evidence/seal-record.js';
import type { LoadedTarget } from '../profile/load-target.js';
import type { ResolvedSecrets } from '../profile/secrets.js';
import type { PointRef, WriteMethod } from '../protocols/capabilities/point-access.js';
import { pointInterfaces } from '../protocols/registry.js';

/** Device operations one restoration may take: connect and log in, write, read back (as range-check's teardown). */
const RESTORE_OPS = 6;

export interface RestoreOutcome {
  plan: RestorationPlan & { seq: number };
  restored: boolean;
  detail: string;
}

/**
 * Replays outstanding point restorations of a run (what `hil restore` does): for each, open the
 * interface through the protocol registry's points capability, write the original value back and
 * read it back, bounded by the interface's declared timeout. Everything goes to an evidence log
 * of its own (`evidenceDir`, its own chain, sealed at the end); each outcome references the plan's seq.
 */
export async function replayRestorations(
  plans: readonly (RestorationPlan & { seq: number })[],
  target: LoadedTarget,
  secrets: ResolvedSecrets,
  evidence: { dir: string; id: string; ofRun: string },
): Promise<RestoreOutcome[]> {
  const t = target.profile;
  const log = new EvidenceLog(evidence.dir, evidence.id, secrets.redactor);
  log.event('harness', `hil restore of run ${evidence.ofRun}: ${plans.length} outstanding restoration(s)`, { restore: { run: evidence.ofRun, target: t.name, profileDigest: target.digest } });
  const journal = new RestorationJournal(log);
  const outcomes: RestoreOutcome[] = [];
  for (const plan of plans) {
    const done = (restored: boolean, detail: string, readBack?: unknown) => {
      journal.done(plan, { restored, by: 'hil restore', planSeq: plan.seq, ...(readBack !== undefined ? { readBack } : {}) });
      outcomes.push({ plan, restored, detail });
    };
    const pi = pointInterfaces(t).find((p) => p.points.path(p.iface) === plan.path);
    const spec = t.policy.points[plan.point];
    if (!pi || !spec) {
      done(false, `the profile has no ${pi ? `point ${plan.point}` : `interface with access path ${plan.path}`}`);
      continue;
    }
    if (typeof plan.original !== 'number') {
      done(false, `original value ${JSON.stringify(plan.original)} is not a number`);
      continue;
    }
    const original = plan.original;
    const point: PointRef = { name: plan.point, spec };
    const account = pi.points.needsAccount ? (secrets.forInterface(pi.iface, pi.protocol.name).find((a) => a.admin) ?? secrets.admin) : undefined;
    const signal = AbortSignal.timeout(RESTORE_OPS * pi.points.timeoutMs(t));
    try {
      const access = await pi.points.open(t, pi.iface, account, { evidence: log, signal });
      try {
        const methods = access.methods(point);
        const method = methods.includes(plan.method as WriteMethod) ? (plan.method as WriteMethod) : methods[0];
        const w = await access.write(point, original, method);
        const rb = await access.read(point);
        const ok = !w.failure && w.replyRejected !== true && rb.ok && typeof rb.value === 'number' && Math.abs(rb.value - original) <= access.resolution(point) / 2;
        const readBack = rb.ok ? rb.value : rb.error;
        done(ok, `${w.failure ?? w.reply}; read back ${readBack}`, readBack);
      } finally {
        await access.close();
      }
    } catch (e) {
      done(false, `${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  sealEvidence(log);
  return outcomes;
}
