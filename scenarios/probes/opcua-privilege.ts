import { OpcuaChannel } from '../../harness/protocols/opcua/opcua-channel.js';
import { sameValue } from '../../harness/oracles/probe-values.js';
import type { ResolvedAccount } from '../../harness/profile/secrets.js';
import type { ScenarioContext } from '../../harness/runner/scenario-context.js';
import { describeWatch, effectWindowMs, valuesFor, watcherFor, writeTargetFor } from '../../harness/oracles/write-observation.js';

/**
 * OPC UA write as a non-admin (L2.016): an admin session reads the value, writes a different in-range
 * value that must read back and show on the field monitor (positive control); a second channel with
 * the non-admin's session writes another value; the admin reads back and the monitor is watched at
 * once. BadUserAccessDenied alone is not the verdict: the value must not change. Restored in teardown.
 */
export async function probeOpcuaPrivilege(ctx: ScenarioContext, admin: ResolvedAccount, user: ResolvedAccount): Promise<void> {
  const iface = ctx.target.interfaces.opcua!;
  const t = writeTargetFor(ctx, (p) => p.opcua !== undefined);
  if (!t) return ctx.notApplicable('no writable numeric point with an OPC UA node is declared', 'opcua');
  const { nodeId, dataType } = t.point.opcua!;

  const adm = ctx.track(await OpcuaChannel.connect(iface, ctx.channelCtx));
  const s = await adm.createSession({ username: admin.username, password: admin.password });
  ctx.control(`admin '${admin.username}' session`, { passed: s.ok, actual: s.status, iface: 'opcua', reason: `OPC UA positive control failed: admin session ${s.status}` });
  const readNum = async () => {
    const r = await adm.read(nodeId);
    return r.ok && typeof r.value === 'number' ? r.value : undefined;
  };
  const original = await readNum();
  ctx.control(`read ${nodeId}`, { passed: original !== undefined, actual: original, iface: 'opcua', reason: `OPC UA positive control failed: cannot read ${nodeId} as a number` });
  const values = valuesFor(ctx, t, original);
  if (!values) return ctx.inconclusive(`no two in-range probe values for ${t.name}`, 'opcua');
  ctx.defer(`restore ${t.name} = ${original} via opcua`, async () => {
    const w = await adm.write(nodeId, dataType, original, { signal: AbortSignal.timeout(iface.timeoutMs) });
    if (!w.ok) throw new Error(`restore write: ${w.status}`);
  });
  const watcher = await watcherFor(ctx, t);

  // Positive control: the admin's write reads back and reaches the field.
  const aw = await adm.write(nodeId, dataType, values.adminValue);
  const afield = await watcher?.watchFor(values.adminValue, iface.timeoutMs);
  const aback = await readNum();
  ctx.control(`admin writes ${t.name} = ${values.adminValue}`, {
    passed: aw.ok && aback !== undefined && sameValue(aback, values.adminValue, t.tolerance) && (!watcher || afield?.hit !== undefined),
    actual: { write: aw.status, readBack: aback, field: describeWatch(afield, watcher?.monitorPoint) },
    iface: 'opcua',
    reason: `OPC UA positive control failed: admin write ${t.name} = ${values.adminValue} gave ${aw.status}, read-back ${aback}, ${describeWatch(afield, watcher?.monitorPoint)}`,
  });

  const usr = ctx.track(await OpcuaChannel.connect(iface, ctx.channelCtx));
  const us = await usr.createSession({ username: user.username, password: user.password });
  ctx.control(`non-admin '${user.username}' session`, {
    passed: us.ok,
    actual: us.status,
    iface: 'opcua',
    reason: `non-admin '${user.username}' could not open an OPC UA session (${us.status}): its write rights cannot be tested`,
  });
  const uw = await usr.write(nodeId, dataType, values.userValue);
  const ufield = await watcher?.watchFor(values.userValue, effectWindowMs(ctx, iface.timeoutMs));
  const back = await readNum();
  await usr.close();
  ctx.measure('opcuaUserWriteStatus', uw.status, { iface: 'opcua' });
  ctx.measure('opcuaReadBackAfterUserWrite', back ?? null, { iface: 'opcua' });
  const changed = (back !== undefined && sameValue(back, values.userValue, t.tolerance)) || ufield?.hit !== undefined;
  const ok = ctx.check(`non-admin cannot change ${t.name} via opcua`, {
    expected: `${t.name} stays ${values.adminValue}`,
    actual: { write: uw.status, readBack: back, field: describeWatch(ufield, watcher?.monitorPoint) },
    passed: !changed,
    iface: 'opcua',
    reason: `non-admin '${user.username}' changed ${t.name} via opcua (write ${uw.status}; read-back ${back}; ${describeWatch(ufield, watcher?.monitorPoint)})`,
  });
  if (!ok) return;
  if (back === undefined) return ctx.inconclusive(`cannot read ${nodeId} back after the non-admin write`, 'opcua');
  ctx.pass(`'${user.username}' could not change ${t.name} via opcua (write ${uw.status}; read-back ${back}; ${describeWatch(ufield, watcher?.monitorPoint)})`, 'opcua');
}
