import type { Findings, Judgement } from '../../core/finding.js';
import { compilePattern } from '../../profile/pattern.js';
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { PrivilegeAccounts, WritePlan } from '../capabilities/privilege.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { ProbeRun } from '../capabilities/probe-run.js';
import { ConsoleChannel } from './console-channel.js';
import { consolePointValue, pointValuePattern } from './console-point.js';

/**
 * Console setpoint as a non-admin (L2.016). One serial line carries one session at a time, so the
 * steps are sequential: admin reads the value and makes an in-range write that must show in the
 * status output and on the field monitor (positive control); the non-admin writes a different
 * value and the field monitor is watched at once; the admin reads back. Restored in teardown.
 * `out`: the scenario's sink, written as findings are made, so a throw part-way loses nothing.
 */
export async function consolePrivilege(cfg: ConsoleInterface, iface: string, { admin, user }: PrivilegeAccounts, plan: WritePlan, run: ProbeRun, out?: Findings): Promise<Judgement> {
  const f = new InterfaceFindings(iface, out);
  const tpl = cfg.commands.setPoint!;
  const cname = plan.point.console!.name;
  const con = run.track(await ConsoleChannel.open(cfg, run.channelCtx));
  // The capability reports the interface unsupported without a refusal pattern (console/index.ts).
  const rejected = compilePattern(cfg.responses.rejected!);
  const denied = cfg.responses.permissionDenied ? compilePattern(cfg.responses.permissionDenied) : undefined;
  if (!pointValuePattern(cfg, cname).declared) run.log('console read-back uses the generic "name: value" pattern (profile declares no responses.pointValue)');

  /** Runs `fn` logged in as `acct`, then logs out; the login's outcome and, when it reached a shell, fn's value. */
  const as = async <T>(acct: ResolvedAccount, fn: () => Promise<T>): Promise<{ outcome: string; ran?: { value: T } }> => {
    const r = await con.login(acct.username, acct.password);
    if (r.outcome !== 'shell') return { outcome: r.outcome };
    try {
      return { outcome: r.outcome, ran: { value: await fn() } };
    } finally {
      await con.logout().catch(() => undefined);
    }
  };
  const loginFailed = (acct: ResolvedAccount, outcome: string) => `console positive control failed: login as '${acct.username}' ended '${outcome}'`;
  /** `as`, with the login as a positive control; undefined when it failed. */
  const session = async <T>(acct: ResolvedAccount, fn: () => Promise<T>): Promise<{ value: T } | undefined> => {
    const r = await as(acct, fn);
    f.control(`console login as '${acct.username}'`, { passed: r.ran !== undefined, actual: r.outcome, reason: loginFailed(acct, r.outcome) });
    return r.ran;
  };
  const readValue = async () => consolePointValue(cfg, cname, (await con.run(cfg.commands.status)).output);
  const setCmd = (v: number) => tpl.replace('{point}', cname).replace('{value}', String(v));

  const first = await session(admin, readValue);
  if (!first) return f;
  const original = first.value;
  const readable = f.control(`"${cfg.commands.status}" shows ${cname}`, {
    passed: original !== undefined,
    actual: original,
    reason: `console positive control failed: cannot read ${cname} back from "${cfg.commands.status}" (declare responses.pointValue)`,
  });
  if (!readable || original === undefined) return f;
  const values = plan.values(original);
  if (!values) return f.end('INCONCLUSIVE', `no two in-range probe values for ${plan.name}`);
  run.defer(`restore ${plan.name} = ${original} via ${iface}`, async () => {
    const r = await as(admin, () => con.run(setCmd(original)));
    if (!r.ran) throw new Error(loginFailed(admin, r.outcome));
  });
  const field = await plan.openField();

  // Positive control: the admin's write takes effect (status output and field monitor).
  const ctl = await session(admin, async () => {
    const output = (await con.run(setCmd(values.adminValue))).output;
    const seen = await field.watchFor(values.adminValue, cfg.timeoutMs);
    return { output, seen, readBack: await readValue() };
  });
  if (!ctl) return f;
  const { output, seen, readBack: ctlBack } = ctl.value;
  const took = f.control(`admin sets ${plan.name} = ${values.adminValue} via ${iface}`, {
    passed: !rejected.test(output) && ctlBack !== undefined && plan.same(ctlBack, values.adminValue) && (!field.monitored || seen.hit),
    actual: { output: output.slice(0, 120), readBack: ctlBack, field: seen.summary },
    reason: `console positive control failed: admin write ${plan.name} = ${values.adminValue} did not take effect (read-back ${ctlBack}; ${seen.summary})`,
  });
  if (!took) return f;

  // The non-admin's write of a different value, watched at once on the monitor.
  const attempt = await session(user, async () => {
    const reply = (await con.run(setCmd(values.userValue))).output;
    return { reply, seen: await field.watchFor(values.userValue, plan.effectWindowMs(cfg.timeoutMs)) };
  });
  if (!attempt) return f;
  const back = await session(admin, readValue);
  if (!back) return f;
  const { reply, seen: userSeen } = attempt.value;
  const readBack = back.value;
  const deniedMsg = (denied?.test(reply) ?? false) || rejected.test(reply);
  f.measure('consoleUserWriteReply', reply.slice(0, 200));
  f.measure('consoleReadBackAfterUserWrite', readBack ?? null);
  if (readBack === undefined && !field.monitored) return f.end('INCONCLUSIVE', `cannot read ${cname} back after the non-admin write and no monitor observes it`);
  const changed = (readBack !== undefined && plan.same(readBack, values.userValue)) || userSeen.hit;
  const held = f.check(`non-admin cannot change ${plan.name} via ${iface}`, {
    expected: `${plan.name} stays ${values.adminValue}`,
    actual: { readBack, field: userSeen.summary, reply: reply.slice(0, 120) },
    passed: !changed,
    reason: `non-admin '${user.username}' changed ${plan.name} via ${iface} (read-back ${readBack}; ${userSeen.summary}; reply "${reply.slice(0, 60)}")`,
  });
  if (!held) return f;
  return f.end('PASS', `'${user.username}' could not change ${plan.name} via ${iface} (${deniedMsg ? `refused: "${reply.slice(0, 60)}"` : 'no refusal message'}; read-back ${readBack}; ${userSeen.summary})`);
}
