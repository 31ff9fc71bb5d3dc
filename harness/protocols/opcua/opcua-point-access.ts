/**
 * Point access over OPC UA: Write/Read of the Value attribute of the point's declared node in an
 * admin session. The per-node StatusCode is the reply (BadOutOfRange, BadTypeMismatch, Good_Clamped).
 */
import type { ChannelContext } from '../transport/channel.js';
import { OpcuaChannel } from './opcua-channel.js';
import type { OpcuaInterface } from '../../profile/target-schema.js';
import { TypedPointAccess, type PointRef, type ReadOutcome, type WriteOutcome } from '../capabilities/point-access.js';

export class OpcuaPointAccess extends TypedPointAccess {
  readonly path = 'opcua' as const;

  private constructor(private readonly ch: OpcuaChannel) {
    super();
  }

  static async open(iface: OpcuaInterface, account: { username: string; password: string }, ctx: ChannelContext): Promise<OpcuaPointAccess> {
    const ch = await OpcuaChannel.connect(iface, ctx);
    const s = await ch.createSession({ username: account.username, password: account.password }).catch(async (e: unknown) => {
      await ch.close();
      throw e;
    });
    if (!s.ok) {
      await ch.close();
      throw new Error(`OPC UA session as ${account.username} refused: ${s.status}`);
    }
    return new OpcuaPointAccess(ch);
  }

  unsupported(p: PointRef): string | undefined {
    return p.spec.opcua ? undefined : 'no OPC UA node declared';
  }

  async read(p: PointRef): Promise<ReadOutcome> {
    const r = await this.ch.read(p.spec.opcua!.nodeId);
    if (!r.ok) return { ok: false, error: `Read ${p.spec.opcua!.nodeId}: ${r.status}` };
    if (typeof r.value !== 'number' && typeof r.value !== 'boolean') return { ok: false, error: `Read ${p.spec.opcua!.nodeId}: not a number (${JSON.stringify(r.value)})` };
    return { ok: true, value: r.value, text: `${p.spec.opcua!.nodeId}=${r.value}` };
  }

  /** A string is written as a String Variant (the wrong-type probe); numbers with the declared data type. */
  async write(p: PointRef, value: number | string): Promise<WriteOutcome> {
    const { nodeId, dataType } = p.spec.opcua!;
    const type = typeof value === 'string' ? 'String' : dataType;
    const r = await this.ch.write(nodeId, type, value);
    // Good_Clamped is a Good status: the reply accepted it, and the read-back shows the clamp.
    return { replyRejected: !r.ok, code: r.status, reply: r.status, sent: `Write ${nodeId} = ${JSON.stringify(value)} (${type})` };
  }

  close(): Promise<void> {
    return this.ch.close();
  }
}
