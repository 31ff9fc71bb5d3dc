// The simulated process: commanded values written by the master, actual outputs (which the
// safe state may override), a first-order-lag temperature, a heartbeat and the comm watchdog.
import { EventEmitter } from 'node:events';
import type { SafeValues, SimParams } from './sim-config.ts';
import type { PointValue, WritablePoint } from './points.ts';

export interface Commanded {
  heaterSetpoint: number;
  valvePosition: number;
  pumpOn: boolean;
  heaterEnable: boolean;
}
export type Outputs = Commanded;

export interface ProcessSnapshot {
  commanded: Commanded;
  /** What really drives the plant (commanded, or the safe values while the safe state is active). */
  actual: Outputs;
  temperature: number;
  heartbeat: number;
  safeState: boolean;
  msSinceMasterTraffic: number;
}

export type MasterSource = 'modbus-tcp' | 'modbus-rtu' | 'mqtt' | 'opcua' | 'console';

export interface ProcessModelOptions {
  params: Pick<SimParams, 'watchdogMs' | 'heartbeatPeriodMs' | 'temperatureTimeConstantMs' | 'ambientTemperature'>;
  safeValues: SafeValues;
  safeStateOnCommLoss: 'safe' | 'hold';
  /** Master requests per second above which the process starves (no stormResilience); undefined: never. */
  stormStallRate?: number;
  /** Injected clock for deterministic tests of the dynamics. */
  now?: () => number;
}

/** Initial commanded state: heater on, so 'hold' visibly keeps an unsafe output after comm loss. */
export const INITIAL_COMMANDED: Readonly<Commanded> = { heaterSetpoint: 45, valvePosition: 30, pumpOn: true, heaterEnable: true };

const TICK_MS = 20;
/** Load is judged per bucket of this length; a starved process stays frozen for one bucket after it. */
const LOAD_BUCKET_MS = 200;

/** Events: 'safe-state' (active: boolean), 'write' (point, value). */
export class ProcessModel extends EventEmitter {
  readonly commanded: Commanded = { ...INITIAL_COMMANDED };
  temperature: number;
  heartbeat = 0;
  safeState = false;
  private lastMasterAt: number;
  private lastTickAt: number;
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private loadBucketAt = 0;
  private loadCount = 0;
  private stalledUntil = -Infinity;

  constructor(private readonly opts: ProcessModelOptions) {
    super();
    this.now = opts.now ?? (() => performance.now());
    this.temperature = opts.params.ambientTemperature;
    // The watchdog is armed from power-up: a gateway nobody controls goes safe, too.
    this.lastMasterAt = this.lastTickAt = this.now();
  }

  start(): void {
    if (this.timers.length) return;
    this.lastTickAt = this.now();
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    this.timers.push(setInterval(() => { if (!this.stalled) this.heartbeat = (this.heartbeat + 1) % 65536; }, this.opts.params.heartbeatPeriodMs));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Any request from the controlling master feeds the watchdog and ends a safe state. */
  masterTraffic(_source: MasterSource): void {
    this.noteLoad();
    this.lastMasterAt = this.now();
    if (this.safeState) this.setSafeState(false);
  }

  write(point: WritablePoint, value: PointValue): void {
    (this.commanded as unknown as Record<string, PointValue>)[point] = value;
    this.emit('write', point, value);
  }

  get actual(): Outputs {
    if (this.safeState && this.opts.safeStateOnCommLoss === 'safe') return { ...this.opts.safeValues };
    return { ...this.commanded };
  }

  snapshot(): ProcessSnapshot {
    return {
      commanded: { ...this.commanded },
      actual: this.actual,
      temperature: this.temperature,
      heartbeat: this.heartbeat,
      safeState: this.safeState,
      msSinceMasterTraffic: Math.round(this.now() - this.lastMasterAt),
    };
  }

  /** Freeze the process for `ms` (a firmware hang on bad input): nothing runs, the watchdog included. */
  hang(ms: number): void {
    this.stalledUntil = Math.max(this.stalledUntil, this.now() + ms);
  }

  /** True while a request storm starves the process (weak profile: no stormResilience). */
  get stalled(): boolean {
    return this.now() < this.stalledUntil;
  }

  private noteLoad(): void {
    const rate = this.opts.stormStallRate;
    if (rate === undefined) return;
    const t = this.now();
    if (t - this.loadBucketAt >= LOAD_BUCKET_MS) { this.loadBucketAt = t; this.loadCount = 0; }
    if (++this.loadCount > (rate * LOAD_BUCKET_MS) / 1000) this.stalledUntil = t + LOAD_BUCKET_MS;
  }

  /** Advances the dynamics; public so unit tests can drive an injected clock. */
  tick(): void {
    const t = this.now();
    const dt = Math.max(0, t - this.lastTickAt);
    this.lastTickAt = t;
    if (this.stalled) return; // a starved process does nothing, its watchdog included
    if (!this.safeState && t - this.lastMasterAt > this.opts.params.watchdogMs) this.setSafeState(true);
    const out = this.actual;
    const target = out.heaterEnable ? out.heaterSetpoint : this.opts.params.ambientTemperature;
    this.temperature += (target - this.temperature) * (1 - Math.exp(-dt / this.opts.params.temperatureTimeConstantMs));
  }

  private setSafeState(active: boolean): void {
    this.safeState = active;
    this.emit('safe-state', active);
  }
}
