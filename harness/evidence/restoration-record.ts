import { z } from 'zod';
import type { EvidenceLog } from './evidence-log.js';
import type { EvidenceRecord } from './evidence-record.js';

/**
 * What a state-changing probe will put back, written to the evidence before it acts, and the
 * record written once it has: a run that ends between the two leaves an outstanding restoration,
 * which the reports list and `hil restore` replays. `how` says it in words; `kind` and its fields
 * say it for a machine (kind 'point': write `original` to `point` on the access `path`).
 */
export const RestorationPlanSchema = z.object({
  id: z.string(),
  kind: z.literal('point'),
  point: z.string(),
  /** Access path of the interface (modbus-tcp, mqtt, ...), as the points capability names it. */
  path: z.string(),
  original: z.union([z.number(), z.string(), z.boolean()]),
  unit: z.string().optional(),
  /** Write method that puts it back (fc06, default, ...). */
  method: z.string().optional(),
  how: z.string(),
});
export type RestorationPlan = z.infer<typeof RestorationPlanSchema>;

export const RestorationDoneSchema = z.object({
  id: z.string(),
  /** Read back equal to the original: the device is as it was. */
  restored: z.boolean(),
  readBack: z.unknown().optional(),
  /** Who put it back: the scenario itself or `hil restore`. */
  by: z.string(),
  /** The plan's record, when restored from another evidence log (`hil restore`). */
  planSeq: z.number().int().optional(),
});
export type RestorationDone = z.infer<typeof RestorationDoneSchema>;

/** attrs.restoration of a record: a plan or an outcome. */
export const RestorationAttr = z.union([
  z.object({ state: z.literal('planned'), plan: RestorationPlanSchema }),
  z.object({ state: z.literal('done'), done: RestorationDoneSchema }),
]);

/** Writes restoration plans and outcomes to one evidence log. */
export class RestorationJournal {
  private n = 0;

  constructor(private readonly evidence: EvidenceLog) {}

  /** Before the first change: what will be restored and how. Returns the plan (its id names it later). */
  planned(p: Omit<RestorationPlan, 'id' | 'kind'>): RestorationPlan {
    const plan: RestorationPlan = { id: `${this.evidence.runId}/${this.evidence.scenario ?? 'run'}/${p.path}/${p.point}/${++this.n}`, kind: 'point', ...p };
    this.evidence.append({ channel: 'harness', dir: 'event', text: `restoration planned: ${plan.how}`, attrs: { restoration: { state: 'planned', plan } } });
    return plan;
  }

  /** After putting it back and reading it back. */
  done(plan: Pick<RestorationPlan, 'id' | 'how'>, outcome: Omit<RestorationDone, 'id'>): EvidenceRecord {
    const done: RestorationDone = { id: plan.id, ...outcome };
    return this.evidence.append({
      channel: 'harness',
      dir: 'event',
      text: `restoration ${outcome.restored ? 'done' : 'FAILED'}: ${plan.how}`,
      attrs: { restoration: { state: 'done', done } },
    });
  }
}

/** Plans without a successful outcome, in the order they were made, with the seq of each plan's record. */
export function outstandingRestorations(records: readonly EvidenceRecord[]): (RestorationPlan & { seq: number; t: string; scenario?: string })[] {
  const plans = new Map<string, RestorationPlan & { seq: number; t: string; scenario?: string }>();
  const restored = new Set<string>();
  for (const r of records) {
    if (r.attrs?.restoration === undefined) continue;
    const a = RestorationAttr.safeParse(r.attrs.restoration);
    if (!a.success) continue;
    if (a.data.state === 'planned') plans.set(a.data.plan.id, { ...a.data.plan, seq: r.seq, t: r.t, ...(r.scenario ? { scenario: r.scenario } : {}) });
    else if (a.data.done.restored) restored.add(a.data.done.id);
  }
  return [...plans.values()].filter((p) => !restored.has(p.id));
}
