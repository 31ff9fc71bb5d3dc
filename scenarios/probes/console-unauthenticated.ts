import { ConsoleChannel } from '../../harness/protocols/console/console-channel.js';
import { compilePattern } from '../../harness/profile/pattern.js';
import type { ScenarioContext } from '../../harness/runner/scenario-context.js';

/**
 * Console without login (L2.006): positive control (a valid login, then the status command prints
 * its expected output), then (1) wake the console without logging in — a shell prompt is a FAIL —
 * and (2) type the status command at the login prompt: its output must NOT appear (judged by the
 * output, not by what the prompt looks like).
 */
export async function probeConsoleUnauthenticated(ctx: ScenarioContext): Promise<void> {
  const iface = ctx.target.interfaces.console!;
  const acct = ctx.secrets.user ?? ctx.secrets.admin;
  if (!acct) return ctx.inconclusive('no account declared: the console positive control (a valid login) cannot run', 'console');
  const statusOk = compilePattern(iface.responses.statusOk);
  const con = ctx.track(await ConsoleChannel.open(iface, ctx.channelCtx));

  const login = await con.login(acct.username, acct.password);
  ctx.control(`login as '${acct.username}' reaches a shell`, {
    passed: login.outcome === 'shell',
    actual: `${login.outcome}${login.promptSeen ? ` (${login.promptSeen})` : ''}`,
    iface: 'console',
    reason: `console positive control failed: login as '${acct.username}' ended '${login.outcome}'`,
  });
  const st = await con.run(iface.commands.status).catch((e: Error) => ({ output: e.message, promptSeen: 'error' }));
  ctx.control(`"${iface.commands.status}" works after login`, {
    passed: statusOk.test(st.output),
    actual: st.output.slice(0, 200),
    iface: 'console',
    reason: `console positive control failed: "${iface.commands.status}" after login did not print the declared statusOk output`,
  });
  await con.logout();
  if (login.alreadyLoggedIn) ctx.log('console was already at a shell prompt before the control login');

  // (1) No shell without login.
  const probe = await con.probeWithoutLogin();
  ctx.measure('consoleShellWithoutLogin', probe.shell, { iface: 'console' });
  const noShell = ctx.check('console gives no shell without login', {
    expected: 'login prompt',
    actual: probe.promptSeen ?? 'no prompt',
    passed: !probe.shell,
    iface: 'console',
    reason: `console gives a shell without login ('${probe.promptSeen}' prompt after ${probe.after})`,
  });
  if (!noShell) return;
  if (!probe.promptSeen) return ctx.inconclusive('console showed no login prompt when woken without logging in', 'console');

  // (2) The status command typed before login must not run.
  con.discardPending();
  await con.send(iface.commands.status);
  const pats: Record<string, RegExp> = { statusOk, login: compilePattern(iface.prompts.login), password: compilePattern(iface.prompts.password), shell: compilePattern(iface.prompts.shell) };
  const w = await con.tryWaitFor(pats, { timeoutMs: iface.timeoutMs });
  const ran = w?.matched === 'statusOk' || statusOk.test(w?.before ?? con.pending);
  ctx.measure('consoleStatusBeforeLoginRan', ran, { iface: 'console' });
  // A device that took the command as a user name now asks for a password: answer it empty (one failed login).
  if (w?.matched === 'password') {
    await con.sendRaw(iface.wakeup, { text: 'empty password' });
    await con.tryWaitFor({ login: pats.login!, failure: compilePattern(iface.prompts.failure) }, { timeoutMs: iface.timeoutMs });
  }
  const passed = ctx.check(`"${iface.commands.status}" typed before login prints nothing`, {
    expected: 'no status output',
    actual: w ? `${w.matched}: ${w.text.slice(0, 200)}` : 'no answer',
    passed: !ran,
    iface: 'console',
    reason: `console ran "${iface.commands.status}" before login (its output appeared)`,
  });
  if (passed) {
    ctx.pass(`no shell without login; "${iface.commands.status}" typed at the login prompt printed nothing (${w ? `${w.matched} prompt followed` : 'no answer'})`, 'console');
  }
}
