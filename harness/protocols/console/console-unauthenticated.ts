import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { ControlAccount, ProbeCheck, UnauthenticatedResult } from '../capabilities/auth-surface.js';
import type { ConsoleChannel } from './console-channel.js';

/**
 * Console without login (L2.006): positive control (a valid login, then the status command prints
 * its expected output), then (1) wake the console without logging in — a shell prompt is a FAIL —
 * and (2) type the status command at the login prompt: its output must NOT appear (judged by the
 * output, not by what the prompt looks like).
 */
export async function consoleUnauthenticated(con: ConsoleChannel, cfg: ConsoleInterface, acct: ControlAccount | undefined, signal: AbortSignal): Promise<UnauthenticatedResult> {
  const checks: ProbeCheck[] = [];
  const controls: ProbeCheck[] = [];
  const observations: UnauthenticatedResult['observations'] = [];
  const result = (outcome: UnauthenticatedResult['outcome'], detail: string): UnauthenticatedResult => ({ outcome, detail, controls, checks, observations });
  if (!acct) {
    controls.push({ name: 'a declared account logs in', expected: 'an account', actual: 'no account', passed: false, reason: 'no account declared: the console positive control (a valid login) cannot run' });
    return result('undecided', controls[0]!.reason);
  }
  const statusOk = compilePattern(cfg.responses.statusOk);
  const op = { signal };

  const login = await con.login(acct.username, acct.password, op);
  const loginControl: ProbeCheck = {
    name: `login as '${acct.username}' reaches a shell`,
    expected: 'shell prompt',
    passed: login.outcome === 'shell',
    actual: `${login.outcome}${login.promptSeen ? ` (${login.promptSeen})` : ''}`,
    reason: `console positive control failed: login as '${acct.username}' ended '${login.outcome}'`,
  };
  controls.push(loginControl);
  if (!loginControl.passed) return result('undecided', loginControl.reason);
  const st = await con.run(cfg.commands.status, op).catch((e: Error) => ({ output: e.message, promptSeen: 'error' }));
  const control: ProbeCheck = {
    name: `"${cfg.commands.status}" works after login`,
    expected: 'declared statusOk output',
    passed: statusOk.test(st.output),
    actual: st.output.slice(0, 200),
    reason: `console positive control failed: "${cfg.commands.status}" after login did not print the declared statusOk output`,
  };
  controls.push(control);
  if (!control.passed) return result('undecided', control.reason);
  await con.logout(op);

  // (1) No shell without login.
  const probe = await con.probeWithoutLogin(op);
  observations.push({ name: 'consoleShellWithoutLogin', value: probe.shell });
  const shellReason = `console gives a shell without login ('${probe.promptSeen}' prompt after ${probe.after})`;
  checks.push({ name: 'console gives no shell without login', expected: 'login prompt', actual: probe.promptSeen ?? 'no prompt', passed: !probe.shell, reason: shellReason });
  if (probe.shell) return result('accepted', shellReason);
  if (!probe.promptSeen) return result('undecided', 'console showed no login prompt when woken without logging in');

  // (2) The status command typed before login must not run.
  con.discardPending();
  await con.send(cfg.commands.status, op);
  const pats: Record<string, RegExp> = { statusOk, login: compilePattern(cfg.prompts.login), password: compilePattern(cfg.prompts.password), shell: compilePattern(cfg.prompts.shell) };
  const w = await con.tryWaitFor(pats, { timeoutMs: cfg.timeoutMs, signal });
  const ran = w?.matched === 'statusOk' || statusOk.test(w?.before ?? con.pending);
  observations.push({ name: 'consoleStatusBeforeLoginRan', value: ran });
  // A device that took the command as a user name now asks for a password: answer it empty (one failed login).
  if (w?.matched === 'password') {
    await con.sendRaw(cfg.wakeup, { text: 'empty password', signal });
    await con.tryWaitFor({ login: pats.login!, failure: compilePattern(cfg.prompts.failure) }, { timeoutMs: cfg.timeoutMs, signal });
  }
  const ranReason = `console ran "${cfg.commands.status}" before login (its output appeared)`;
  checks.push({
    name: `"${cfg.commands.status}" typed before login prints nothing`,
    expected: 'no status output',
    actual: w ? `${w.matched}: ${w.text.slice(0, 200)}` : 'no answer',
    passed: !ran,
    reason: ranReason,
  });
  if (ran) return result('accepted', ranReason);
  const after = w ? `${w.matched} prompt followed` : 'no answer';
  return result('refused', `no shell without login; "${cfg.commands.status}" typed at the login prompt printed nothing (${after})`);
}
