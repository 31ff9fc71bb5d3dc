/**
 * Malformed input on every interface whose protocol offers robustness probes: each case is sent,
 * then the interface must answer a valid request again within the device's declared recovery time.
 * One 'fault' evidence record per case (what was sent, how the device reacted, whether it
 * recovered); the judgement comes back as findings.
 */
import { Findings, type Judgement } from '../core/finding.js';
import type { MalformedInputCapability, MalformedSession } from '../protocols/capabilities/malformed-input.js';
import { findAccount } from '../profile/account-query.js';
import { targetInterfaces } from '../protocols/registry.js';
import type { FaultScene } from './fault-scene.js';
import { rawExchange } from './raw-exchange.js';

/** How long to listen for the device's reaction to one case (an observation window, not a device deadline). */
export const REACTION_WINDOW_MS = 300;
/** Pause between valid requests while waiting for the interface to recover. */
const RETRY_MS = 200;

export interface MalformedInterface {
  iface: string;
  malformed: MalformedInputCapability;
}

/** The target's interfaces with robustness probes, in registry order. */
export function malformedInterfaces(scene: Pick<FaultScene, 'target'>): MalformedInterface[] {
  return targetInterfaces(scene.target).flatMap((i) => (i.protocol.malformed ? [{ iface: i.iface, malformed: i.protocol.malformed }] : []));
}

function adminOn(scene: FaultScene, iface: string): { account?: NonNullable<ReturnType<typeof findAccount>['account']> } {
  const protocol = targetInterfaces(scene.target).find((i) => i.iface === iface)?.protocol.name;
  const account = findAccount(scene.secrets, iface, protocol, { role: 'admin' }).account;
  return account ? { account } : {};
}

/** Opens the interface's probe session (closed at the scenario's end). */
export async function openMalformed(scene: FaultScene, m: MalformedInterface): Promise<MalformedSession> {
  const session = await m.malformed.open(scene.target, m.iface, {
    // The interface's own admin, where the profile declares one there.
    ...adminOn(scene, m.iface),
    reactionWaitMs: REACTION_WINDOW_MS,
    signal: scene.signal,
    raw: (o) => rawExchange({ ...o, evidence: scene.evidence, signal: scene.signal }),
  }, scene.channelCtx);
  return scene.track(session);
}

/**
 * Sends every case of the session and judges recovery after each. `out`: the scenario's sink, so a
 * case that FAILed stays recorded when a later case throws (the interface closed its socket).
 */
export async function runMalformedCases(scene: FaultScene, iface: string, session: MalformedSession, recoverMs: number, out?: Findings): Promise<Judgement> {
  const f = new Findings(out);
  let failed = 0;
  for (const c of session.cases) {
    const reaction = await session.send(c);
    for (const o of reaction.observations ?? []) {
      f.note(o.note);
      f.measure(o.name, o.value);
    }
    const t0 = performance.now();
    let ok = false;
    while (!ok && performance.now() - t0 < recoverMs) {
      ok = await session.alive();
      if (!ok) await scene.sleep(RETRY_MS);
    }
    scene.evidence.append({ channel: 'fault', dir: 'fault', text: `malformed ${iface}: ${c.name} → ${reaction.text}; valid request afterwards ${ok ? 'answered' : 'NOT answered'}`, attrs: { fault: 'malformed-input', iface, case: c.name, reaction: reaction.text, controlAfter: ok, bytes: c.bytes.length } });
    if (!f.check(`${iface} answers after "${c.name}"`, { expected: 'valid request answered', actual: reaction.text, passed: ok, iface, reason: `${iface} stopped answering valid requests after malformed input "${c.name}"` })) failed++;
  }
  if (!failed) f.verdict('PASS', `${session.cases.length} malformed case(s); a valid request was answered after each`, iface);
  return f;
}
