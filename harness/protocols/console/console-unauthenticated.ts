import type { Findings } from '../../core/finding.js';
import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import { noControlAccount, type ControlAccount, type UnauthenticatedResult } from '../capabilities/auth-surface.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { ConsoleChannel } from './console-channel.js';

/**
 * Console without login (L2.006): positive control (a valid login, then the status command prints
 * its expected output), then (1) wake the console without logging in — a shell prompt is a FAIL —
 * and (2) type the status command at the login prompt: its output must NOT appear (judged by the
 * output, not by what the prompt looks like). `afterLogout` gives the line to probe after the logout:
 * the same one, or a new connection where the device ends a session by closing the line.
 * `out`: the scenario's sink, written as findings are made, so a throw part-way loses nothing.
 */
export async function consoleUnauthenticated(
  con: ConsoleChannel,
  afterLogout: () => Promise<ConsoleChannel>,
  cfg: ConsoleInterface,
  iface: string,
  acct: ControlAccount | undefined,
  signal: AbortSignal,
  out?: Findings,
): Promise<UnauthenticatedResult> {
  const f = new InterfaceFindings(iface, out);
  const result = (outcome: UnauthenticatedResult['outcome'], detail: string): UnauthenticatedResult => ({ findings: f.findings, outcome, detail });
  if (!acct) return noControlAccount(f, iface);
  const statusOk = compilePattern(cfg.responses.statusOk);
  const op = { signal };

  const login = await con.login(acct.username, acct.password, op);
  const loginFailed = `console positive control failed: login as '${acct.username}' ended '${login.outcome}'`;
  const loggedIn = f.control(`login as '${acct.username}' reaches a shell`, {
    passed: login.outcome === 'shell',
    actual: `${login.outcome}${login.promptSeen ? ` (${login.promptSeen})` : ''}`,
    reason: loginFailed,
  });
  if (!loggedIn) return result('undecided', loginFailed);
  const st = await con.run(cfg.commands.status, op).catch((e: Error) => ({ output: e.message, promptSeen: 'error' }));
  const statusFailed = `console positive control failed: "${cfg.commands.status}" after login did not print the declared statusOk output`;
  if (!f.control(`"${cfg.commands.status}" works after login`, { passed: statusOk.test(st.output), actual: st.output.slice(0, 200), reason: statusFailed })) {
    return result('undecided', statusFailed);
  }
  await con.logout(op);
  try {
    con = await afterLogout();
  } catch (e) {
    if (signal.aborted) throw e;
    return result('undecided', `console not reachable again after logout: ${(e as Error).message}`);
  }

  // (1) No shell without login.
  const probe = await con.probeWithoutLogin(op);
  f.measure('consoleShellWithoutLogin', probe.shell);
  const shellReason = `console gives a shell without login ('${probe.promptSeen}' prompt after ${probe.after})`;
  f.check('console gives no shell without login', { expected: 'login prompt', actual: probe.promptSeen ?? 'no prompt', passed: !probe.shell, reason: shellReason });
  if (probe.shell) return result('accepted', shellReason);
  if (!probe.promptSeen) return result('undecided', 'console showed no login prompt when woken without logging in');

  // (2) The status command typed before login must not run.
  con.discardPending();
  await con.send(cfg.commands.status, op);
  const pats: Record<string, RegExp> = { statusOk, login: compilePattern(cfg.prompts.login), password: compilePattern(cfg.prompts.password), shell: compilePattern(cfg.prompts.shell) };
  const w = await con.tryWaitFor(pats, { timeoutMs: cfg.timeoutMs, signal });
  const ran = w?.matched === 'statusOk' || statusOk.test(w?.before ?? con.pending);
  f.measure('consoleStatusBeforeLoginRan', ran);
  // A device that took the command as a user name now asks for a password: answer it empty (one failed login).
  if (w?.matched === 'password') {
    await con.sendRaw(cfg.wakeup, { text: 'empty password', signal });
    await con.tryWaitFor({ login: pats.login!, failure: compilePattern(cfg.prompts.failure) }, { timeoutMs: cfg.timeoutMs, signal });
  }
  const ranReason = `console ran "${cfg.commands.status}" before login (its output appeared)`;
  f.check(`"${cfg.commands.status}" typed before login prints nothing`, {
    expected: 'no status output',
    actual: w ? `${w.matched}: ${w.text.slice(0, 200)}` : 'no answer',
    passed: !ran,
    reason: ranReason,
  });
  if (ran) return result('accepted', ranReason);
  const after = w ? `${w.matched} prompt followed` : 'no answer';
  return result('refused', `no shell without login; "${cfg.commands.status}" typed at the login prompt printed nothing (${after})`);
}
