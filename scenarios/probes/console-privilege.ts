import { ConsoleChannel } from '../../harness/protocols/console/console-channel.js';
import { consolePointValue, pointValuePattern } from '../../harness/protocols/console/console-point.js';
import { sameValue } from '../../harness/oracles/probe-values.js';
import { compilePattern } from '../../harness/profile/pattern.js';
import type { ResolvedAccount } from '../../harness/profile/secrets.js';
import type { ScenarioContext } from '../../harness/runner/scenario-context.js';
import { describeWatch, effectWindowMs, valuesFor, watcherFor, writeTargetFor } from '../../harness/oracles/write-observation.js';

/**
 * Console setpoint as a non-admin (L2.016). One serial line carries one session at a time, so the
 * steps are sequential: admin reads the value and makes an in-range write that must show in the
 * status output and on the field monitor (positive control); the non-admin writes a different
 * value and the field monitor is watched at once; the admin reads back. Restored in teardown.
 */
export async function probeConsolePrivilege(ctx: ScenarioContext, admin: ResolvedAccount, user: ResolvedAccount): Promise<void> {
  const iface = ctx.target.interfaces.console!;
  const tpl = iface.commands.setPoint;
  if (!tpl) return ctx.notApplicable('profile declares no console set-point command (commands.setPoint)', 'console');
  const t = writeTargetFor(ctx, (p) => p.console !== undefined);
  if (!t) return ctx.notApplicable('no writable numeric point with a console name is declared', 'console');
  const cname = t.point.console!.name;
  const con = ctx.track(await ConsoleChannel.open(iface, ctx.channelCtx));
  const rejected = compilePattern(iface.responses.rejected);
  const denied = iface.responses.permissionDenied ? compilePattern(iface.responses.permissionDenied) : undefined;
  if (!pointValuePattern(iface, cname).declared) ctx.log('console read-back uses the generic "name: value" pattern (profile declares no responses.pointValue)');

  const session = async <T>(acct: ResolvedAccount, fn: () => Promise<T>): Promise<T> => {
    const r = await con.login(acct.username, acct.password);
    ctx.control(`console login as '${acct.username}'`, {
      passed: r.outcome === 'shell',
      actual: r.outcome,
      iface: 'console',
      reason: `console positive control failed: login as '${acct.username}' ended '${r.outcome}'`,
    });
    try {
      return await fn();
    } finally {
      await con.logout().catch(() => undefined);
    }
  };
  const readValue = async () => consolePointValue(iface, cname, (await con.run(iface.commands.status)).output);
  const setCmd = (v: number) => tpl.replace('{point}', cname).replace('{value}', String(v));

  const original = await session(admin, readValue);
  ctx.control(`"${iface.commands.status}" shows ${cname}`, {
    passed: original !== undefined,
    actual: original,
    iface: 'console',
    reason: `console positive control failed: cannot read ${cname} back from "${iface.commands.status}" (declare responses.pointValue)`,
  });
  const values = valuesFor(ctx, t, original);
  if (!values) return ctx.inconclusive(`no two in-range probe values for ${t.name}`, 'console');
  ctx.defer(`restore ${t.name} = ${original} via console`, () => session(admin, () => con.run(setCmd(original!))).then(() => undefined));
  const watcher = await watcherFor(ctx, t);

  // Positive control: the admin's write takes effect (status output and field monitor).
  const ctl = await session(admin, async () => {
    const out = (await con.run(setCmd(values.adminValue))).output;
    const field = await watcher?.watchFor(values.adminValue, ctx.target.interfaces.console!.timeoutMs);
    return { out, field, readBack: await readValue() };
  });
  ctx.control(`admin sets ${t.name} = ${values.adminValue} via console`, {
    passed: !rejected.test(ctl.out) && ctl.readBack !== undefined && sameValue(ctl.readBack, values.adminValue, t.tolerance) && (!watcher || ctl.field?.hit !== undefined),
    actual: { output: ctl.out.slice(0, 120), readBack: ctl.readBack, field: describeWatch(ctl.field, watcher?.monitorPoint) },
    iface: 'console',
    reason: `console positive control failed: admin write ${t.name} = ${values.adminValue} did not take effect (read-back ${ctl.readBack}; ${describeWatch(ctl.field, watcher?.monitorPoint)})`,
  });

  // The non-admin's write of a different value, watched at once on the monitor.
  const attempt = await session(user, async () => {
    const out = (await con.run(setCmd(values.userValue))).output;
    const field = await watcher?.watchFor(values.userValue, effectWindowMs(ctx, iface.timeoutMs));
    return { out, field };
  });
  const readBack = await session(admin, readValue);
  const deniedMsg = (denied?.test(attempt.out) ?? false) || rejected.test(attempt.out);
  ctx.measure('consoleUserWriteReply', attempt.out.slice(0, 200), { iface: 'console' });
  ctx.measure('consoleReadBackAfterUserWrite', readBack ?? null, { iface: 'console' });
  const changed = (readBack !== undefined && sameValue(readBack, values.userValue, t.tolerance)) || attempt.field?.hit !== undefined;
  if (readBack === undefined && !watcher) return ctx.inconclusive(`cannot read ${cname} back after the non-admin write and no monitor observes it`, 'console');
  const ok = ctx.check(`non-admin cannot change ${t.name} via console`, {
    expected: `${t.name} stays ${values.adminValue}`,
    actual: { readBack, field: describeWatch(attempt.field, watcher?.monitorPoint), reply: attempt.out.slice(0, 120) },
    passed: !changed,
    iface: 'console',
    reason: `non-admin '${user.username}' changed ${t.name} via console (read-back ${readBack}; ${describeWatch(attempt.field, watcher?.monitorPoint)}; reply "${attempt.out.slice(0, 60)}")`,
  });
  if (ok) {
    ctx.pass(`'${user.username}' could not change ${t.name} via console (${deniedMsg ? `refused: "${attempt.out.slice(0, 60)}"` : 'no refusal message'}; read-back ${readBack}; ${describeWatch(attempt.field, watcher?.monitorPoint)})`, 'console');
  }
}
