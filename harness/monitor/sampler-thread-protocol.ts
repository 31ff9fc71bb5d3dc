/** Messages between the scenario's thread and the sampler thread (structured-clone data only). */
import type { MonitorChannel as MonitorConfig } from '../profile/target-schema.js';
import type { MonitorSample } from './sample.js';

export interface SamplerThreadInit {
  monitor: MonitorConfig;
  periodMs: number;
  readTimeoutMs?: number;
}

export type SamplerThreadMessage =
  | { type: 'started' }
  /** `t` on the epoch clock (performance.timeOrigin + now) of the sampler thread. */
  | { type: 'sample'; sample: MonitorSample }
  | { type: 'stopped'; missedTicks: number };
