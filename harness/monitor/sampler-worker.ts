/**
 * Body of the sampler thread (started by sampler-thread.ts): the fixed-rate sampler over its own
 * monitor connection, on an event loop that nothing else uses, so a busy scenario (storms, fault
 * proxies, report writing) cannot delay a read. Sample times go back on the shared epoch clock
 * (timeOrigin + now), because each thread's performance.now() has its own origin.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { MonitorReader } from './monitor-reader.js';
import { startSampler } from './sampler.js';
import type { MonitorSample } from './sample.js';
import { SAMPLER_NICE, type SamplerThreadInit, type SamplerThreadMessage } from './sampler-thread-protocol.js';

const init = workerData as SamplerThreadInit;
// An observer should not be the first to starve on a loaded bench: raise this thread's priority
// (Linux nice values are per thread) where allowed (root or CAP_SYS_NICE). What lateness remains
// is measured per sample and reported as unobserved time.
let raised = false;
try {
  setPriority(SAMPLER_NICE);
  raised = true;
} catch { /* not allowed: run at normal priority */ }
const port = parentPort!;
const reader = new MonitorReader(init.monitor);
const origin = performance.timeOrigin;
const post = (m: SamplerThreadMessage) => port.postMessage(m);

const sampler = startSampler({
  source: reader,
  periodMs: init.periodMs,
  readTimeoutMs: init.readTimeoutMs,
  onSample: (s: MonitorSample) => post({ type: 'sample', sample: { ...s, t: origin + s.t } }),
});
post({ type: 'started', raisedPriority: raised });

port.on('message', (m: { type: 'stop' }) => {
  if (m.type !== 'stop') return;
  void sampler.stop().then((stats) => {
    reader.close();
    post({ type: 'stopped', missedTicks: stats.missedTicks });
  });
});
