/**
 * Watches the device's declared alert topic (policy.alerts.mqttTopic) over its own MQTT session,
 * so the range check can ask "did the rejected commands raise alerts?". Counting, not parsing:
 * alert payload formats are vendor-specific, and the probes run one at a time.
 */
import type { ChannelContext } from '../transport/channel.js';
import { MqttChannel, type ReceivedMessage } from './mqtt-channel.js';
import type { MqttInterface } from '../../profile/target-schema.js';

export class AlertWatch {
  readonly messages: ReceivedMessage[] = [];

  private constructor(
    readonly topic: string,
    private readonly ch: MqttChannel,
  ) {
    ch.onMessage(topic, (m) => this.messages.push(m));
  }

  static async open(iface: MqttInterface, topic: string, account: { username: string; password: string }, ctx: ChannelContext): Promise<AlertWatch> {
    const r = await MqttChannel.connect(iface, account, ctx, { clientId: `hil-alerts-${process.pid}-${Date.now().toString(36)}` });
    if (!r.ok) throw new Error(`MQTT connect as ${account.username} for alerts failed (${r.kind}): ${r.error}`);
    const s = await r.channel.subscribe(topic);
    if (!s.ok) {
      await r.channel.close();
      throw new Error(`subscribe ${topic}: ${s.outcome}${s.reason ? ` (${s.reason})` : ''}`);
    }
    return new AlertWatch(topic, r.channel);
  }

  /** Index to count from. */
  mark(): number {
    return this.messages.length;
  }

  /** Wait until at least `n` alerts arrived since `mark`, or `ms` passed; returns those alerts. */
  async waitCount(mark: number, n: number, ms: number, signal?: AbortSignal): Promise<ReceivedMessage[]> {
    const until = Date.now() + ms;
    while (this.messages.length - mark < n && Date.now() < until && this.ch.connected && !signal?.aborted) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.messages.slice(mark);
  }

  get connected(): boolean {
    return this.ch.connected;
  }

  close(): Promise<void> {
    return this.ch.close();
  }
}
