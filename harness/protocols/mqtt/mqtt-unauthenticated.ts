import type { Findings } from '../../core/finding.js';
import type { MqttInterface } from '../../profile/target-schema.js';
import { noControlAccount, type ControlAccount, type UnauthenticatedResult } from '../capabilities/auth-surface.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import { classifyConnack } from './mqtt-connack.js';
import type { MqttConnectResult, MqttCredentials } from './mqtt-channel.js';
import type { AnonymousCommandResult } from './mqtt-anonymous-command.js';

/** How far one MQTT client got: connect, subscribe to telemetry, receive a message. */
export type MqttSessionProbe =
  | { stage: 'unreachable'; error: string }
  | { stage: 'connect'; connect: MqttConnectResult }
  | { stage: 'subscribe'; connect: MqttConnectResult; rejected: boolean; granted?: number; outcome: string }
  | { stage: 'telemetry'; connect: MqttConnectResult; received: boolean; stillConnected: boolean };

const connected = (p: MqttSessionProbe): boolean => p.stage === 'subscribe' || p.stage === 'telemetry';
const received = (p: MqttSessionProbe): boolean => p.stage === 'telemetry' && p.received;

/**
 * Anonymous MQTT (L2.006): positive control (a valid account connects and gets telemetry), then an
 * anonymous CONNECT. CONNACK 0 is the finding (unless the profile allows anonymous MQTT); what the
 * anonymous client could do goes in the reason (subscribe + receive telemetry is the proof that
 * counts). Refusal codes 4/5 (3.1.1) or 0x86/0x87 (5) refuse.
 */
export async function mqttUnauthenticated(
  cfg: MqttInterface,
  acct: ControlAccount | undefined,
  session: (creds: MqttCredentials) => Promise<MqttSessionProbe>,
  /** Once anonymous CONNECT is accepted: whether its in-range command takes effect (watched by the control account). */
  command?: (acct: ControlAccount) => Promise<AnonymousCommandResult>,
  /** The scenario's sink, written as findings are made, so a throw part-way loses nothing. */
  out?: Findings,
): Promise<UnauthenticatedResult> {
  const f = new InterfaceFindings('mqtt', out);
  const result = (outcome: UnauthenticatedResult['outcome'], detail: string): UnauthenticatedResult => ({ findings: f.findings, outcome, detail });
  const topic = cfg.topics.telemetry;
  if (!acct) return noControlAccount(f, 'MQTT');

  const good = await session({ username: acct.username, password: acct.password });
  const failure = good.stage === 'unreachable' ? `unreachable: ${good.error}` : good.stage === 'connect' && !good.connect.ok ? `${good.connect.kind}: ${good.connect.error}` : '';
  const controlFailed = `MQTT positive control failed: '${acct.username}' could not connect (${failure})`;
  if (!f.control(`'${acct.username}' connects to ${cfg.url}`, { passed: connected(good), actual: connected(good) ? 'CONNACK 0' : failure, reason: controlFailed })) {
    return result('undecided', controlFailed);
  }
  f.measure('telemetryReceivedWithAccount', received(good));

  const anon = await session({ anonymous: true });
  if (anon.stage === 'unreachable') {
    f.measure('anonymousConnect', 'unreachable');
    return result('undecided', `anonymous MQTT CONNECT got no decisive answer (unreachable: ${anon.error})`);
  }
  const c = anon.connect;
  f.measure('anonymousConnect', c.ok ? 'CONNACK 0' : c.connack ? `CONNACK ${c.connack.code}` : c.kind);
  if (connected(anon)) {
    f.measure('telemetryReceivedAnonymously', received(anon));
    const what = (reader: boolean) =>
      received(anon)
        ? 'and received telemetry'
        : anon.stage === 'telemetry'
          ? `(CONNACK 0; subscription to ${topic} granted, no telemetry within ${cfg.timeoutMs} ms${reader ? '' : ', none for the valid account either'})`
          : `(CONNACK 0; subscription to ${topic} refused)`;
    // CONNACK 0 alone is the finding; whether the client can also command the process is the worst of it.
    let watcher: ControlAccount | undefined;
    const connectRefused = () =>
      f.check('anonymous MQTT CONNECT refused', {
        expected: cfg.protocolVersion === 5 ? 'CONNACK 0x86/0x87' : 'CONNACK 4/5',
        actual: `CONNACK 0, telemetry ${received(anon) ? 'received' : 'not received'}`,
        passed: false,
        reason: `anonymous MQTT client accepted ${what(watcher !== undefined)}`,
      });
    let cmd: AnonymousCommandResult | undefined;
    try {
      watcher = received(good) ? acct : await telemetryReader(acct, session, f, topic);
      f.measure('telemetryReader', watcher?.username ?? null);
      cmd = command ? await command(watcher ?? acct) : undefined;
    } catch (e) {
      // The command probe ended (a deadline, the run cancelled): the accepted CONNECT stays proven.
      connectRefused();
      throw e;
    }
    const detail = `anonymous MQTT client accepted ${what(watcher !== undefined)}`;
    if (cmd) {
      f.measure('anonymousCommandTookEffect', cmd.tookEffect ?? 'undecided');
      if (cmd.tookEffect === true) {
        f.check('anonymous MQTT command has no effect', { expected: 'no effect', actual: cmd.detail, passed: false, reason: `${detail}; ${cmd.detail}` });
        return result('accepted', `${detail}; ${cmd.detail}`);
      }
      f.note(`anonymous MQTT command: ${cmd.detail}`);
    }
    connectRefused();
    return result('accepted', detail);
  }
  const cls = classifyConnack(c, cfg.protocolVersion);
  if (cls === 'auth-refused') return result('refused', `anonymous MQTT CONNECT refused (CONNACK ${c.connack!.code}: ${c.connack!.reason})`);
  // Closed without CONNACK right after a valid account got in: the anonymous client got nothing.
  if (cls === 'no-connack' && !c.ok && c.kind === 'closed') return result('refused', 'anonymous MQTT CONNECT refused (connection closed without CONNACK)');
  return result('undecided', `anonymous MQTT CONNECT got no decisive answer (${c.ok ? '' : `${c.kind}: ${c.error}`})`);
}

/**
 * The control account receives no telemetry (its role may not read it, or the broker hides it):
 * the first of the other declared accounts that does, so the anonymous client's effect has a
 * witness. Judged by delivery, not by the declared roles; undefined when none receives any.
 */
async function telemetryReader(
  acct: ControlAccount,
  session: (creds: MqttCredentials) => Promise<MqttSessionProbe>,
  f: InterfaceFindings,
  topic: string,
): Promise<ControlAccount | undefined> {
  for (const alt of acct.alternatives ?? []) {
    if (alt.username === acct.username) continue;
    if (received(await session({ username: alt.username, password: alt.password }))) {
      f.note(`'${acct.username}' received no telemetry on ${topic}; '${alt.username}' does and watches the anonymous client's effect`);
      return alt;
    }
  }
  f.note(`no declared account received telemetry on ${topic}${acct.alternatives?.length ? '' : ` (only '${acct.username}' was given)`}`);
  return undefined;
}
