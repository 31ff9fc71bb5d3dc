import type { ParsedProfileText } from '../profile/load-target.js';
import type { ProgressEvent } from './progress-event.js';

/**
 * The messages between `hil run` and its scenario host (harness/runner/scenario-host.ts) over the
 * child's IPC channel. One host runs the jobs of many targets at once; every message names its job.
 */
export interface HostJob {
  /** Unique per job within one host. */
  key: string;
  runDir: string;
  runId: string;
  /** Scenario module files, in execution order (already sharded by the parent). */
  files: string[];
  /** The profile text the parent parsed (when JSON carries it unchanged): the host parses the snapshot itself only without it or when its digest differs. */
  profile?: ParsedProfileText;
}

export type ParentMessage = { type: 'run'; job: HostJob } | { type: 'abort'; key: string; reason: 'deadline' | 'cancel' };

export type HostMessage =
  | { type: 'ready' }
  | { type: 'progress'; key: string; progress: ProgressEvent }
  /** The job ended: every scenario it reached has reported; `error` when the job itself could not run. */
  | { type: 'done'; key: string; error?: string }
  /** An error no scenario caught (a library's stray rejection): the host keeps going, the parent keeps the text as output. */
  | { type: 'stray'; text: string };
