import { ConsoleChannel } from '../harness/protocols/console/console-channel.js';
import { ModbusChannel } from '../harness/protocols/modbus/modbus-channel.js';
import { MqttChannel } from '../harness/protocols/mqtt/mqtt-channel.js';
import { FaultSession, faultCycleMs, safeStateNotApplicable } from '../harness/faults/fault-session.js';
import { faultsConfig } from '../harness/faults/faults-config.js';
import { malformedModbusRtuCases, malformedModbusTcpCases, noise, type MalformedCase } from '../harness/protocols/modbus/malformed-modbus.js';
import { connectPacket, malformedMqttCases } from '../harness/protocols/mqtt/malformed-mqtt.js';
import { rawExchange } from '../harness/faults/raw-exchange.js';
import type { ScenarioContext } from '../harness/runner/scenario-context.js';
import { scenario } from '../harness/runner/scenario.js';

/** How long to wait for the device's reaction to one malformed case. */
const CASE_WAIT_MS = 300;
/** How long the device may take to answer a valid request again after a case. */
const RECOVER_MS = 3000;
const OVERSIZED_BYTES = 256 * 1024;

/**
 * Malformed input on every interface (Modbus TCP frames, RTU bad CRC, malformed MQTT packets, an
 * oversized payload, binary noise on the console). After each case the device must still answer
 * a valid request on that interface (positive control), and throughout, the independent monitor
 * must show the heartbeat running and the outputs holding.
 */
export default scenario({
  id: 'malformed-input',
  title: 'The device keeps running and answering after malformed frames, packets and console noise',
  requirements: ['CPSF:L2.009', 'CPSF:L2.021', 'IEC62443-4-2:CR3.5', 'IEC62443-4-2:CR3.6', 'IEC62443-4-2:CR7.1', 'EN303645:5.13-1', 'EN303645:5.9-2'],
  interfaces: ['modbus-tcp'],
  changesState: true,
  notApplicableWhen: safeStateNotApplicable,
  budgetMs: (t) => 30_000 + faultCycleMs(t.policy.safeState!, 40 * (CASE_WAIT_MS + 500)),
  async run(ctx) {
    const t = ctx.target;
    const s = await FaultSession.open(ctx, { samplePeriodMs: faultsConfig(t).monitorPeriodMs });
    const config = { before: await s.master.readConfig() } as { before: Record<string, unknown>; after: Record<string, unknown> };
    const probePoint = s.master.points.find((p) => p.table === 'holding') ?? s.master.points[0]!;
    const tl = s.timeline('malformed-input');
    tl.mark('fault-start');
    const mb = t.interfaces.modbus!;

    // Modbus TCP: each case on a fresh connection (a robust device may drop it), then a valid read.
    await runCases(ctx, 'modbus-tcp', malformedModbusTcpCases(mb.unitId, probePoint.address), async (c) => {
      const ch = await ModbusChannel.openTcp(mb.tcp!, mb.unitId, ctx.channelCtx, { requestTimeoutMs: CASE_WAIT_MS });
      try {
        const r = await ch.sendRaw(c.bytes, { waitMs: CASE_WAIT_MS, text: `malformed: ${c.name}` });
        return r.closed ? `connection closed${r.rx.length ? ` after ${r.rx.length} bytes` : ''}` : r.rx.length ? `answered ${r.rx.toString('hex').slice(0, 40)}` : 'no answer';
      } finally {
        await ch.close();
      }
    }, async () => (await s.master.read(probePoint.name)) !== undefined);

    // Modbus RTU on the serial line.
    if (mb.rtu) {
      const rtu = ctx.track(await ModbusChannel.openRtu(mb.rtu, mb.unitId, ctx.channelCtx, { requestTimeoutMs: 500 }));
      await runCases(ctx, 'modbus-rtu', malformedModbusRtuCases(mb.unitId, probePoint.address), async (c) => {
        const r = await rtu.sendRaw(c.bytes, { waitMs: CASE_WAIT_MS, text: `malformed: ${c.name}` });
        if (/CRC/.test(c.name) && r.rx.length) {
          ctx.log(`observation: the device answered a frame with a wrong CRC (${r.rx.toString('hex')}); a device must discard it (modbus-serial ServerSerial does not check CRCs, upstream #560)`);
          ctx.measure('rtuAnsweredBadCrc', true);
        }
        return r.rx.length ? `answered ${r.rx.toString('hex').slice(0, 40)}` : 'no answer';
      }, async () => {
        await ctx.sleep(100); // inter-frame silence so the line resynchronises
        const r = await rtu.read(probePoint.table, probePoint.address, 1);
        return r.ok;
      });
    }

    // MQTT: malformed packets, then an oversized payload from an authenticated client.
    const mq = t.interfaces.mqtt;
    if (mq) {
      const admin = ctx.secrets.admin;
      const mqttAlive = async () => {
        if (admin) {
          const r = await MqttChannel.connect(mq, { username: admin.username, password: admin.password }, ctx.channelCtx);
          if (r.ok) await r.channel.close();
          return r.ok || r.kind === 'rejected';
        }
        const r = await rawExchange({ url: mq.url, tls: mq.tls, bytes: connectPacket('hil-control'), waitMs: 1000, evidence: ctx.evidence, channel: 'mqtt', text: 'control CONNECT' });
        return r.rx[0] === 0x20;
      };
      const cases = malformedMqttCases();
      await runCases(ctx, 'mqtt', cases, async (c) => {
        const r = await rawExchange({ url: mq.url, tls: mq.tls, bytes: c.bytes, waitMs: CASE_WAIT_MS * 2, evidence: ctx.evidence, channel: 'mqtt', text: `malformed: ${c.name}`, signal: ctx.signal });
        return !r.connected ? `could not connect (${r.error})` : r.closedByPeer ? 'connection closed by the device' : r.rx.length ? `answered ${r.rx.length} bytes` : 'no answer';
      }, mqttAlive);
      if (admin) {
        await runCases(ctx, 'mqtt', [{ name: `oversized PUBLISH payload (${OVERSIZED_BYTES / 1024} KiB) on the command topic`, bytes: Buffer.alloc(0) }], async () => {
          const r = await MqttChannel.connect(mq, { username: admin.username, password: admin.password }, ctx.channelCtx);
          if (!r.ok) return `could not connect (${r.error})`;
          try {
            const p = await r.channel.publish(mq.topics.command, Buffer.concat([Buffer.from('{"point":"'), noise(OVERSIZED_BYTES, 37), Buffer.from('"}')]), { qos: 1, settleMs: 300 });
            return `publish ${p.outcome}${p.connectionClosed ? ', connection closed by the device' : ''}`;
          } finally {
            await r.channel.close();
          }
        }, mqttAlive);
      }
    }

    // Console: binary noise, then the console must still show a prompt.
    const con = t.interfaces.console;
    if (con) {
      const ch = ctx.track(await ConsoleChannel.open(con, ctx.channelCtx));
      const prompts = { login: new RegExp(con.prompts.login), password: new RegExp(con.prompts.password), shell: new RegExp(con.prompts.shell) };
      await runCases(ctx, 'console', [{ name: 'binary noise on the console (2 KiB)', bytes: noise(2048, 41) }], async (c) => {
        await ch.sendRaw(c.bytes, { text: `malformed: ${c.name}` });
        await ctx.sleep(CASE_WAIT_MS);
        return `${ch.discardPending().length} characters of reaction`;
      }, async () => {
        for (let i = 0; i < 3; i++) {
          ch.discardPending();
          await ch.sendRaw(con.wakeup);
          if (await ch.tryWaitFor(prompts, { timeoutMs: con.timeoutMs })) return true;
        }
        return false;
      });
    }

    tl.mark('fault-end');
    await ctx.sleep(s.safeState.recoveryMs + 1000);
    tl.mark('post-end');
    config.after = await s.master.readConfig();
    const stats = await s.sampler.stop();
    s.evaluate(tl, 'hold-or-safe', { config, samplerStats: stats });
  },
});

/**
 * Send each case, then require the interface to answer a valid request again within RECOVER_MS.
 * One 'fault' record per case: what was sent, how the device reacted, whether it recovered.
 */
async function runCases(ctx: ScenarioContext, iface: string, cases: MalformedCase[], send: (c: MalformedCase) => Promise<string>, alive: () => Promise<boolean>): Promise<void> {
  let failed = 0;
  for (const c of cases) {
    const reaction = await send(c);
    const t0 = performance.now();
    let ok = false;
    while (!ok && performance.now() - t0 < RECOVER_MS) {
      ok = await alive();
      if (!ok) await ctx.sleep(200);
    }
    ctx.evidence.append({ channel: 'fault', dir: 'fault', text: `malformed ${iface}: ${c.name} → ${reaction}; valid request afterwards ${ok ? 'answered' : 'NOT answered'}`, attrs: { fault: 'malformed-input', iface, case: c.name, reaction, controlAfter: ok, bytes: c.bytes.length } });
    if (!ctx.check(`${iface} answers after "${c.name}"`, { expected: 'valid request answered', actual: reaction, passed: ok, iface, reason: `${iface} stopped answering valid requests after malformed input "${c.name}"` })) failed++;
  }
  if (!failed) ctx.pass(`${cases.length} malformed case(s); a valid request was answered after each`, iface);
}
