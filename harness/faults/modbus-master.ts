/**
 * The harness as the device's Modbus master: it writes the commanded values of the declared
 * points and reads them back on a steady cycle (as a PLC would), so the device is in normal,
 * watched operation. pause() is the "master loss" fault (silence on the main interface),
 * resume() the master's return. readConfig() gives the configuration snapshot for the digest.
 */
import { sleep } from '../core/deadline.js';
import type { ModbusChannel, ModbusResult } from '../protocols/modbus/modbus-channel.js';
import type { TargetProfile } from '../profile/target-schema.js';

export interface MasterPoint {
  name: string;
  table: 'holding' | 'coil';
  address: number;
  /** Engineering value = raw × scale (profile convention: scale 0.1 for a ×10 register). */
  scale: number;
  min?: number;
  max?: number;
  /** Monitor point that shows this point's effect in the field. */
  monitor?: string;
}

/** Writable declared points the main Modbus interface can command. */
export function masterPoints(target: TargetProfile): MasterPoint[] {
  const out: MasterPoint[] = [];
  for (const [name, p] of Object.entries(target.policy.points)) {
    if (!p.writable || !p.modbus || (p.modbus.table !== 'holding' && p.modbus.table !== 'coil')) continue;
    out.push({ name, table: p.modbus.table, address: p.modbus.address, scale: p.modbus.scale, min: p.min, max: p.max, monitor: p.monitor });
  }
  return out;
}

export interface MasterStats {
  cycles: number;
  failedRequests: number;
  lastError?: string;
}

export class ModbusMaster {
  /** Engineering values written every cycle. */
  readonly commanded = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private idle: AbortController | undefined;
  private lastRequestEnd = 0;
  private readonly stats_: MasterStats = { cycles: 0, failedRequests: 0 };

  constructor(
    readonly channel: ModbusChannel,
    readonly points: MasterPoint[],
    private readonly opts: { periodMs: number; signal?: AbortSignal; now?: () => number },
  ) {}

  get stats(): MasterStats {
    return { ...this.stats_ };
  }

  private get now(): number {
    return (this.opts.now ?? (() => performance.now()))();
  }

  private point(name: string): MasterPoint {
    const p = this.points.find((x) => x.name === name);
    if (!p) throw new Error(`no Modbus-writable point ${name}`);
    return p;
  }

  /** One write of one point (engineering value). */
  async write(name: string, value: number): Promise<ModbusResult<unknown>> {
    const p = this.point(name);
    const r = p.table === 'coil' ? await this.channel.writeCoil(p.address, value !== 0, { signal: this.opts.signal }) : await this.channel.writeRegister(p.address, Math.round(value / p.scale) & 0xffff, { signal: this.opts.signal });
    this.lastRequestEnd = this.now;
    if (!r.ok) {
      this.stats_.failedRequests++;
      this.stats_.lastError = r.message;
    }
    return r;
  }

  /** Current value of one point as the device reports it (undefined when the read fails). */
  async read(name: string): Promise<number | undefined> {
    const p = this.point(name);
    const r = await this.channel.read(p.table, p.address, 1, { signal: this.opts.signal });
    this.lastRequestEnd = this.now;
    if (!r.ok) {
      this.stats_.failedRequests++;
      this.stats_.lastError = r.message;
      return undefined;
    }
    const raw = r.data[0]!;
    if (typeof raw === 'boolean') return raw ? 1 : 0;
    return (raw > 0x7fff ? raw - 0x10000 : raw) * p.scale;
  }

  /** The configuration as the device reports it: every declared point's current value. */
  async readConfig(): Promise<Record<string, number | null>> {
    const out: Record<string, number | null> = {};
    for (const p of this.points) {
      const v = await this.read(p.name);
      out[p.name] = v === undefined ? null : Math.round(v * 1000) / 1000;
    }
    return out;
  }

  /** Start (or resume) the cycle; returns the time the first request is issued. */
  start(): number {
    const t = this.now;
    if (this.running) return t;
    this.running = true;
    this.loop = (async () => {
      while (this.running && !this.opts.signal?.aborted) {
        const t0 = this.now;
        for (const [name, v] of this.commanded) {
          if (!this.running) break;
          await this.write(name, v);
        }
        // Poll every declared point, so a master with nothing to command still feeds the watchdog.
        for (const p of this.points) {
          if (!this.running) break;
          await this.read(p.name);
        }
        this.stats_.cycles++;
        const wait = this.opts.periodMs - (this.now - t0);
        this.idle = new AbortController();
        const wake = this.opts.signal ? AbortSignal.any([this.opts.signal, this.idle.signal]) : this.idle.signal;
        if (this.running && wait > 0) await sleep(wait, wake).catch(() => undefined);
      }
    })();
    return t;
  }

  /** Master loss: stop after the request in flight; returns the end time of the last request. */
  async pause(): Promise<number> {
    this.running = false;
    this.idle?.abort();
    await this.loop;
    this.loop = undefined;
    return this.lastRequestEnd;
  }

  resume(): number {
    return this.start();
  }

  async stop(): Promise<void> {
    await this.pause();
  }
}
