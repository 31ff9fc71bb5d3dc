/**
 * What a fault procedure needs from the scenario it runs in: the target, where its evidence goes,
 * when to give up, and teardown that always runs. A structural type (the runner's ScenarioContext
 * is one), so faults never import the runner; verdicts come back as findings, never through here.
 */
import type { EvidenceLog } from '../evidence/evidence-log.js';
import type { RestorationJournal } from '../evidence/restoration-record.js';
import type { ResolvedSecrets } from '../profile/secrets.js';
import type { TargetProfile } from '../profile/target-schema.js';
import type { ChannelContext } from '../protocols/transport/channel.js';

export interface FaultScene {
  readonly target: TargetProfile;
  readonly secrets: ResolvedSecrets;
  readonly evidence: EvidenceLog;
  /** Aborts when the scenario's budget is exhausted. */
  readonly signal: AbortSignal;
  readonly channelCtx: ChannelContext;
  /** Teardown that runs whatever happened, newest first. */
  defer(name: string, fn: () => Promise<void> | void): void;
  /** Closes this when the scenario ends. */
  track<T extends { close(): Promise<void> | void }>(c: T): T;
  sleep(ms: number): Promise<void>;
  log(text: string, attrs?: Record<string, unknown>): void;
  /** Where a fault that changes device state writes what it will restore, before acting, and that it did (ctx.restorations). */
  readonly restorations?: Pick<RestorationJournal, 'planned' | 'done'>;
}
