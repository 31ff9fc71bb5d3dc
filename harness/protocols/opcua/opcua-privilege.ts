import type { Findings, Judgement } from '../../core/finding.js';
import type { OpcuaInterface } from '../../profile/target-schema.js';
import type { PrivilegeAccounts, WritePlan } from '../capabilities/privilege.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { ProbeRun } from '../capabilities/probe-run.js';
import { OpcuaChannel } from './opcua-channel.js';

/**
 * OPC UA write as a non-admin (L2.016): an admin session reads the value, writes a different in-range
 * value that must read back and show on the field monitor (positive control); a second session on
 * the same secure channel (one handshake, issue 16) writes another value as the non-admin; the admin
 * reads back and the monitor is watched at once. BadUserAccessDenied alone is not the verdict: the
 * value must not change. Restored in teardown. `out`: the scenario's sink, written as findings are
 * made, so a throw part-way loses nothing.
 */
export async function opcuaPrivilege(cfg: OpcuaInterface, iface: string, { admin, user }: PrivilegeAccounts, plan: WritePlan, run: ProbeRun, out?: Findings): Promise<Judgement> {
  const f = new InterfaceFindings(iface, out);
  const { nodeId, dataType } = plan.point.opcua!;

  const adm = run.track(await OpcuaChannel.connect(cfg, run.channelCtx));
  const s = await adm.createSession({ username: admin.username, password: admin.password });
  if (!f.control(`admin '${admin.username}' session`, { passed: s.ok, actual: s.status, reason: `OPC UA positive control failed: admin session ${s.status}` })) return f;
  const readNum = async () => {
    const r = await adm.read(nodeId);
    return r.ok && typeof r.value === 'number' ? r.value : undefined;
  };
  const original = await readNum();
  const readable = f.control(`read ${nodeId}`, { passed: original !== undefined, actual: original, reason: `OPC UA positive control failed: cannot read ${nodeId} as a number` });
  if (!readable || original === undefined) return f;
  const values = plan.values(original);
  if (!values) return f.end('INCONCLUSIVE', `no two in-range probe values for ${plan.name}`);
  run.defer(`restore ${plan.name} = ${original} via opcua`, async () => {
    const w = await adm.write(nodeId, dataType, original, { signal: AbortSignal.timeout(cfg.timeoutMs) });
    if (!w.ok) throw new Error(`restore write: ${w.status}`);
  });
  const field = await plan.openField();

  // Positive control: the admin's write reads back and reaches the field.
  const aw = await adm.write(nodeId, dataType, values.adminValue);
  const afield = await field.watchFor(values.adminValue, cfg.timeoutMs);
  const aback = await readNum();
  const took = f.control(`admin writes ${plan.name} = ${values.adminValue}`, {
    passed: aw.ok && aback !== undefined && plan.same(aback, values.adminValue) && (!field.monitored || afield.hit),
    actual: { write: aw.status, readBack: aback, field: afield.summary },
    reason: `OPC UA positive control failed: admin write ${plan.name} = ${values.adminValue} gave ${aw.status}, read-back ${aback}, ${afield.summary}`,
  });
  if (!took) return f;

  const usr = run.track(adm.addSession());
  const us = await usr.createSession({ username: user.username, password: user.password });
  const userIn = f.control(`non-admin '${user.username}' session`, {
    passed: us.ok,
    actual: us.status,
    reason: `non-admin '${user.username}' could not open an OPC UA session (${us.status}): its write rights cannot be tested`,
  });
  if (!userIn) return f;
  const uw = await usr.write(nodeId, dataType, values.userValue);
  const ufield = await field.watchFor(values.userValue, plan.effectWindowMs(cfg.timeoutMs));
  const heldCheck = (back: number | undefined) =>
    f.check(`non-admin cannot change ${plan.name} via opcua`, {
      expected: `${plan.name} stays ${values.adminValue}`,
      actual: { write: uw.status, readBack: back, field: ufield.summary },
      passed: !((back !== undefined && plan.same(back, values.userValue)) || ufield.hit),
      reason: `non-admin '${user.username}' changed ${plan.name} via opcua (write ${uw.status}; read-back ${back}; ${ufield.summary})`,
    });
  let back: number | undefined;
  try {
    back = await readNum();
  } catch (e) {
    // The field monitor alone proves the change: that FAIL is recorded before the error goes up.
    if (ufield.hit) heldCheck(undefined);
    throw e;
  }
  await usr.close();
  f.measure('opcuaUserWriteStatus', uw.status);
  f.measure('opcuaReadBackAfterUserWrite', back ?? null);
  const held = heldCheck(back);
  if (!held) return f;
  if (back === undefined) return f.end('INCONCLUSIVE', `cannot read ${nodeId} back after the non-admin write`);
  return f.end('PASS', `'${user.username}' could not change ${plan.name} via opcua (write ${uw.status}; read-back ${back}; ${ufield.summary})`);
}
