/**
 * Point access over MQTT: the profile's command template published on the command topic as the
 * admin account; the answer is the next message on the status topic (if declared; MQTT 3.1.1 has
 * no NACK); the read-back is the point's field (its mqtt name, see telemetry-value.ts) in the next
 * telemetry message that the device published after handling the command.
 */
import type { ChannelContext } from '../transport/channel.js';
import { MqttChannel, type ReceivedMessage } from './mqtt-channel.js';
import { compilePattern } from '../../profile/pattern.js';
import type { MqttInterface } from '../../profile/target-schema.js';
import { telemetryPointValue } from './telemetry-value.js';
import { TypedPointAccess, type PointRef, type ReadOutcome, type WriteOutcome } from '../capabilities/point-access.js';

const POLL_MS = 10;

export class MqttPointAccess extends TypedPointAccess {
  readonly path = 'mqtt' as const;
  private readonly status: ReceivedMessage[] = [];
  private readonly telemetry: ReceivedMessage[] = [];
  /** Telemetry messages a read must skip: 2 after a write whose handling we could not see (no status). */
  private freshness = 1;

  private constructor(
    private readonly iface: MqttInterface,
    private readonly ch: MqttChannel,
    private readonly signal: AbortSignal | undefined,
  ) {
    super();
    if (iface.topics.status) ch.onMessage(iface.topics.status, (m) => this.status.push(m));
    ch.onMessage(iface.topics.telemetry, (m) => this.telemetry.push(m));
  }

  /** Connect as `account` and subscribe to telemetry and status. Throws with the broker's answer when that fails. */
  static async open(iface: MqttInterface, account: { username: string; password: string }, ctx: ChannelContext): Promise<MqttPointAccess> {
    const r = await MqttChannel.connect(iface, account, ctx, { clientId: `hil-range-${process.pid}-${Date.now().toString(36)}` });
    if (!r.ok) throw new Error(`MQTT connect as ${account.username} failed (${r.kind}): ${r.error}`);
    const access = new MqttPointAccess(iface, r.channel, ctx.signal);
    for (const t of [iface.topics.telemetry, iface.topics.status].filter((x): x is string => !!x)) {
      const s = await r.channel.subscribe(t);
      if (!s.ok) {
        await r.channel.close();
        throw new Error(`MQTT subscribe ${t} as ${account.username}: ${s.outcome}${s.reason ? ` (${s.reason})` : ''}`);
      }
    }
    return access;
  }

  unsupported(p: PointRef): string | undefined {
    return p.spec.mqtt ? undefined : 'no MQTT name declared';
  }

  async read(p: PointRef): Promise<ReadOutcome> {
    const need = this.freshness;
    this.freshness = 1;
    const from = this.telemetry.length;
    const got = await this.waitFor(this.telemetry, from + need - 1, this.iface.timeoutMs * need);
    if (!got) return { ok: false, error: `no telemetry on ${this.iface.topics.telemetry} within ${this.iface.timeoutMs * need} ms` };
    const value = telemetryPointValue(got.text, p.spec.mqtt!.name);
    if (value === undefined) return { ok: false, error: `telemetry has no "${p.spec.mqtt!.name}": ${got.text.slice(0, 120)}` };
    return { ok: true, value, text: `telemetry ${p.spec.mqtt!.name}=${value}` };
  }

  async write(p: PointRef, value: number | string): Promise<WriteOutcome> {
    const payload = this.iface.commandTemplate.replaceAll('{point}', p.spec.mqtt!.name).replaceAll('{value}', JSON.stringify(value));
    const sent = `PUBLISH ${this.iface.topics.command} ${payload}`;
    const mark = this.status.length;
    const pub = await this.ch.publish(this.iface.topics.command, payload, { qos: 1 });
    if (pub.outcome === 'connection-closed' || pub.outcome === 'timeout') {
      return { replyRejected: undefined, reply: pub.outcome, sent, failure: `publish: ${pub.outcome}${pub.reason ? ` (${pub.reason})` : ''}` };
    }
    if (pub.outcome === 'rejected') {
      // MQTT 5 negative PUBACK: the broker/gateway refused the message itself.
      return { replyRejected: true, code: `PUBACK 0x${pub.reasonCode?.toString(16)}`, reply: `PUBACK ${pub.reason ?? pub.reasonCode}`, sent };
    }
    if (!this.iface.topics.status) {
      this.freshness = 2;
      return { replyRejected: undefined, reply: 'no status topic declared (MQTT 3.1.1 has no NACK)', sent };
    }
    const st = await this.waitFor(this.status, mark, this.iface.timeoutMs);
    if (!st) {
      this.freshness = 2;
      return { replyRejected: undefined, reply: `no status message within ${this.iface.timeoutMs} ms`, sent };
    }
    const rejected = compilePattern(this.iface.rejectedStatus).test(st.text);
    return { replyRejected: rejected, code: st.text.slice(0, 160), reply: `status ${st.text.slice(0, 160)}`, sent };
  }

  close(): Promise<void> {
    return this.ch.close();
  }

  /** The message at index `i` of `list` once it has arrived, or undefined after `ms` or when the connection drops. */
  private async waitFor(list: ReceivedMessage[], i: number, ms: number): Promise<ReceivedMessage | undefined> {
    const until = Date.now() + ms;
    while (list.length <= i) {
      if (Date.now() >= until || !this.ch.connected) return undefined;
      if (this.signal?.aborted) throw new Error('MQTT read cancelled');
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return list[i];
  }
}
