/** Messages between the scenario's thread and the sampler thread (structured-clone data only). */
import type { MonitorChannel as MonitorConfig } from '../profile/target-schema.js';
import type { MonitorSample } from './sample.js';

export interface SamplerThreadInit {
  monitor: MonitorConfig;
  periodMs: number;
  readTimeoutMs?: number;
}

export type SamplerThreadMessage =
  | { type: 'started'; raisedPriority: boolean }
  /** `t` on the epoch clock (performance.timeOrigin + now) of the sampler thread. */
  | { type: 'sample'; sample: MonitorSample }
  | { type: 'stopped'; missedTicks: number };

/** Nice value the sampler thread asks for (negative: ahead of ordinary processes). */
export const SAMPLER_NICE = -10;
