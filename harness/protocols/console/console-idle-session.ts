import type { Findings, Judgement } from '../../core/finding.js';
import { compilePattern } from '../../profile/pattern.js';
import type { ResolvedAccount } from '../../profile/secrets.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { IdleWait } from '../capabilities/idle-session.js';
import { InterfaceFindings } from '../capabilities/interface-findings.js';
import type { ProbeRun } from '../capabilities/probe-run.js';
import { ChannelError } from '../transport/channel.js';
import { ConsoleChannel } from './console-channel.js';

/**
 * Idle console session: log in (the positive control runs the status command), then stay silent
 * and watch for the declared idle-logout message, a login prompt or the line closing. The idle
 * time runs from our last byte to the message. Judged by effect: whatever the console printed, the
 * status command is then sent once more and must NOT run. `out`: the scenario's sink (a throw loses nothing).
 */
export async function consoleIdleSession(cfg: ConsoleInterface, iface: string, acct: ResolvedAccount, wait: IdleWait, run: ProbeRun, out?: Findings): Promise<Judgement> {
  const f = new InterfaceFindings(iface, out);
  const { signal } = run;
  const statusOk = compilePattern(cfg.responses.statusOk);
  const limitMs = wait.idleTimeoutMs + wait.marginMs;

  let con: ConsoleChannel;
  try {
    con = run.track(await ConsoleChannel.open(cfg, run.channelCtx, { signal }));
  } catch (e) {
    if (signal.aborted) throw e;
    return f.end('ERROR', `console not reachable: ${(e as Error).message}`);
  }
  let login = await con.login(acct.username, acct.password, { signal });
  if (login.alreadyLoggedIn) {
    // A session left open (by someone else): end it and log in ourselves.
    await con.logout({ signal }).catch(() => undefined);
    login = await con.login(acct.username, acct.password, { signal });
  }
  const status = login.outcome === 'shell' && !login.alreadyLoggedIn ? await con.run(cfg.commands.status, { signal }).catch((e: Error) => ({ output: e.message, promptSeen: 'error' })) : undefined;
  // The moment of our last input: the status line was written before its output came back.
  const lastInput = performance.now();
  const works = f.control(`${acct.username} logs in on console and "${cfg.commands.status}" works`, {
    passed: !!status && status.promptSeen !== 'error' && statusOk.test(status.output),
    actual: status ? status.output.slice(0, 120) : `${login.outcome}${login.promptSeen ? ` (${login.promptSeen})` : ''}`,
    reason: login.alreadyLoggedIn
      ? 'console gives a shell without login (a shell prompt again right after logout): an idle login session cannot be judged'
      : `positive control failed: no working console session for ${acct.username} (${login.outcome})`,
    onFail: !login.alreadyLoggedIn && (login.outcome === 'timeout' || login.outcome === 'unexpected' || login.outcome === 'closed') ? 'ERROR' : 'INCONCLUSIVE',
  });
  if (!works) return f;
  run.defer('log out of the console', () => void con.logout({ timeoutMs: cfg.timeoutMs }).catch(() => undefined));

  // Stay silent. Any of these means the session ended: the idle message, a login prompt, the line closing.
  const ends: Record<string, RegExp> = { login: compilePattern(cfg.prompts.login) };
  if (cfg.prompts.idleLogout) ends.idleLogout = compilePattern(cfg.prompts.idleLogout);
  let endedBy: string | undefined;
  try {
    const w = await con.tryWaitFor(ends, { signal, timeoutMs: Math.max(1, Math.round(limitMs - (performance.now() - lastInput))) });
    endedBy = w?.matched;
  } catch (e) {
    if (!(e instanceof ChannelError) || signal.aborted) throw e;
  }
  if (!endedBy && con.closed) endedBy = 'line closed';
  const idleForMs = Math.round(performance.now() - lastInput);
  f.measure('idleLogoutAfter', endedBy ? idleForMs : null, { unit: 'ms', limits: { max: limitMs } });
  run.log(`console ${endedBy ? `ended the session (${endedBy})` : 'printed nothing'} after ${idleForMs} ms idle (declared ${wait.idleTimeoutMs} ms, margin ${wait.marginMs} ms)`);

  // Judge by effect: the status command must not run any more.
  let stillRuns = false;
  if (!con.closed) {
    const again = await con.run(cfg.commands.status, { signal, timeoutMs: cfg.timeoutMs }).catch(() => undefined);
    stillRuns = !!again && (again.promptSeen === 'shell' || again.promptSeen === 'adminShell') && statusOk.test(again.output);
    run.log(`"${cfg.commands.status}" after the idle period: ${stillRuns ? 'RAN' : 'did not run'}${again ? ` (ended at ${again.promptSeen} prompt)` : ''}`);
    // A stray user name typed at the login prompt may leave a password prompt behind: clear it.
    if (!stillRuns) await con.sendRaw(cfg.wakeup, { signal }).catch(() => undefined);
  }
  f.check('idle session ended', {
    expected: `session ends within ${wait.idleTimeoutMs} + ${wait.marginMs} ms of silence`,
    actual: stillRuns ? `"${cfg.commands.status}" still runs after ${idleForMs} ms idle` : endedBy ? `ended (${endedBy}) after ${idleForMs} ms` : 'command refused, no message',
    passed: !stillRuns,
    reason: `console session still open after ${(idleForMs / 1000).toFixed(1)} s idle (declared idle timeout ${wait.idleTimeoutMs / 1000} s)`,
  });
  if (stillRuns) return f;
  return f.end('PASS', endedBy ? `idle session ended after ${idleForMs} ms (${endedBy}; declared ${wait.idleTimeoutMs} ms)` : `idle session no longer runs commands after ${idleForMs} ms (no logout message seen)`);
}
