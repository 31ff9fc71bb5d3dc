/**
 * The independent field monitor (profile `monitor`): reads the field outputs over its own Modbus TCP
 * connection, scaled to engineering values. One connection stays open and readAll() groups the points
 * of a table into one request, so 10 ms sampling is cheap. By default each readAll() writes one compact
 * 'sample' evidence record instead of tx/rx bytes (log: 'bytes' to get the ADUs, 'none' for nothing).
 */
import type { MonitorChannel as MonitorConfig } from '../../profile/target-schema.js';
import type { ChannelContext, OpOptions } from '../transport/channel.js';
import { ModbusChannel, type ModbusFailureKind } from '../modbus/modbus-channel.js';

export type MonitorValue = number | boolean;

export type MonitorRead =
  | { ok: true; values: Record<string, MonitorValue>; raw: Record<string, number | boolean>; at: number; elapsedMs: number }
  | { ok: false; kind: ModbusFailureKind; message: string; at: number; elapsedMs: number };

export interface FieldMonitorOptions extends OpOptions {
  /** 'samples' (default): one 'sample' record per read; 'bytes': Modbus ADUs as tx/rx; 'none'. */
  log?: 'samples' | 'bytes' | 'none';
  /** Interpret 16-bit registers as two's complement (default true: negative temperatures read right). */
  signed?: boolean;
}

type Table = 'holding' | 'input' | 'coil' | 'discrete';

/**
 * Engineering value of a raw register: raw × scale, the profile's convention (scale 0.1 for a
 * register holding value × 10). Registers are read as signed 16-bit unless told otherwise, because
 * devices store negative values that way.
 */
export function engineeringValue(scale: number, raw: number | boolean, signed = true): MonitorValue {
  if (typeof raw === 'boolean') return raw;
  return (signed && raw > 0x7fff ? raw - 0x10000 : raw) * scale;
}

export class FieldMonitor {
  private constructor(
    readonly config: MonitorConfig,
    private readonly ctx: ChannelContext,
    private readonly mb: ModbusChannel,
    private readonly opts: FieldMonitorOptions,
  ) {}

  static async open(config: MonitorConfig, ctx: ChannelContext, opts: FieldMonitorOptions = {}): Promise<FieldMonitor> {
    const mb = await ModbusChannel.openTcp(config.modbusTcp, config.unitId, ctx, {
      ...opts,
      channel: 'monitor',
      requestTimeoutMs: config.timeoutMs,
      log: opts.log === 'bytes' ? 'bytes' : 'none',
    });
    return new FieldMonitor(config, ctx, mb, opts);
  }

  get pointNames(): string[] {
    return Object.keys(this.config.points);
  }

  /** Read one point. */
  async readPoint(name: string, opts: OpOptions = {}): Promise<MonitorRead> {
    if (!this.config.points[name]) throw new Error(`unknown monitor point: ${name} (have ${this.pointNames.join(', ')})`);
    return this.readSome([name], opts);
  }

  /** Read every configured point (one Modbus request per table when the addresses are close). */
  readAll(opts: OpOptions = {}): Promise<MonitorRead> {
    return this.readSome(this.pointNames, opts);
  }

  async close(): Promise<void> {
    await this.mb.close();
  }

  private scale(name: string, raw: number | boolean): MonitorValue {
    return engineeringValue(this.config.points[name]!.scale, raw, this.opts.signed !== false);
  }

  private async readSome(names: string[], opts: OpOptions): Promise<MonitorRead> {
    const t0 = Date.now();
    const byTable = new Map<Table, string[]>();
    for (const n of names) {
      const t = this.config.points[n]!.table;
      byTable.set(t, [...(byTable.get(t) ?? []), n]);
    }
    const raw: Record<string, number | boolean> = {};
    const values: Record<string, MonitorValue> = {};
    for (const [table, pts] of byTable) {
      const addrs = pts.map((n) => this.config.points[n]!.address);
      const lo = Math.min(...addrs);
      const hi = Math.max(...addrs);
      const limit = table === 'coil' || table === 'discrete' ? 2000 : 125;
      const groups: Array<[number, number, string[]]> = hi - lo < limit ? [[lo, hi - lo + 1, pts]] : pts.map((n) => [this.config.points[n]!.address, 1, [n]]);
      for (const [start, count, members] of groups) {
        const r = await this.mb.read(table, start, count, opts);
        if (!r.ok) {
          const fail: MonitorRead = { ok: false, kind: r.kind, message: r.message, at: t0, elapsedMs: Date.now() - t0 };
          if (this.opts.log !== 'none') this.ctx.evidence.append({ channel: 'monitor', protocol: 'modbus', conn: this.mb.conn, dir: 'error', text: `monitor read failed: ${r.message}` });
          return fail;
        }
        for (const n of members) {
          const v = r.data[this.config.points[n]!.address - start]!;
          raw[n] = v;
          values[n] = this.scale(n, v);
        }
      }
    }
    const res: MonitorRead = { ok: true, values, raw, at: t0, elapsedMs: Date.now() - t0 };
    if ((this.opts.log ?? 'samples') === 'samples') {
      this.ctx.evidence.append({
        channel: 'monitor',
        protocol: 'modbus',
        conn: this.mb.conn,
        dir: 'sample',
        text: Object.entries(values)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        attrs: { values, at: new Date(t0).toISOString(), elapsedMs: res.elapsedMs },
      });
    }
    return res;
  }
}
