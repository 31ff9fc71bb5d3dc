/**
 * The scenario host: the child process `hil run` starts (node + tsx) to execute scenarios. One
 * host runs the jobs of many targets concurrently (each target's scenarios one after another), so
 * a fleet pays node, the loader and the protocol libraries once instead of once per target.
 *
 * It takes jobs over the IPC channel and reports progress on it; it ends the moment `hil run` is
 * gone (the channel closes, or the parent pid disappears), without teardown: nothing more may
 * reach a device once the run that owns it has died (outstanding restorations stay in the evidence).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EvidenceLog } from '../evidence/evidence-log.js';
import { loadTargetFile } from '../profile/load-target.js';
import { resolveSecrets } from '../profile/secrets.js';
import type { HostJob, HostMessage, ParentMessage } from './host-protocol.js';
import { orphanCheck, watchParent } from './parent-watch.js';
import { PROFILE_SNAPSHOT, RUN_ENV } from './run-environment.js';
import { executeScenario } from './scenario-executor.js';
import type { ScenarioDefinition } from './scenario-definition.js';

const send = (m: HostMessage) => process.send?.(m);
const die = () => process.kill(process.pid, 'SIGKILL');

const parentPid = Number(process.env[RUN_ENV.parentPid]);
const watched = Number.isInteger(parentPid) && parentPid > 0;
if (watched) watchParent(parentPid);
process.on('disconnect', die);
// Ctrl-C reaches the whole process group: the parent turns it into an abort, so teardown still restores.
process.on('SIGINT', () => undefined);

const aborts = new Map<string, AbortController>();

async function runJob(job: HostJob, signal: AbortSignal): Promise<void> {
  // The parent validated this exact text before anything was sent; same text, same environment
  // (its parsed document is reused when the snapshot's digest matches; validation runs here again).
  const target = loadTargetFile(join(job.runDir, PROFILE_SNAPSHOT), process.env, job.profile);
  const secrets = resolveSecrets(target.profile, process.env);
  const evidence = new EvidenceLog(job.runDir, job.runId, secrets.redactor);
  if (watched) evidence.beforeAppend = orphanCheck(parentPid);
  for (const file of job.files) {
    if (signal.aborted) return;
    const def = ((await import(pathToFileURL(file).href)) as { default: ScenarioDefinition }).default;
    send({ type: 'progress', key: job.key, progress: { event: 'start', scenario: def.id } });
    const result = await executeScenario(def, { target: target.profile, secrets, evidence, signal });
    send({ type: 'progress', key: job.key, progress: { event: 'result', scenario: def.id, verdict: result.verdict, reason: result.reason, durationMs: result.durationMs, result } });
  }
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'abort') return aborts.get(m.key)?.abort(m.reason);
  const ac = new AbortController();
  aborts.set(m.job.key, ac);
  runJob(m.job, ac.signal).then(
    () => send({ type: 'done', key: m.job.key }),
    (e: Error) => send({ type: 'done', key: m.job.key, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}` }),
  ).finally(() => aborts.delete(m.job.key));
});

// A library's stray error (an event emitter without a listener, a rejected promise nobody awaits)
// must not end the other targets' runs: the scenario that caused it ends by its own deadline.
const stray = (e: unknown) => send({ type: 'stray', text: `${(e as Error)?.stack ?? String(e)}\n` });
process.on('uncaughtException', stray);
process.on('unhandledRejection', stray);

send({ type: 'ready' });
