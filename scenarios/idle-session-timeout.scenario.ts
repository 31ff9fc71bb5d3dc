/**
 * Idle sessions end (CPSF L2.006 session end; IEC 62443-4-2 CR 2.5/2.6): on the console, log in
 * (the positive control runs the status command), then stay silent and watch for the declared
 * idle-logout message or a login prompt. The measured idle time runs from our last byte to the
 * message. Judged by effect: whatever the console printed, the status command is then sent once
 * more and must NOT run.
 *
 * Wait: idleTimeoutMs + margin, margin = max(1 s, 25 % of the timeout) (the profile declares no
 * tolerance for it); the measurement's limit is the same bound.
 *
 * A profile without idleTimeoutMs declares sessions that never time out. L2.006 (and JUSTIN's
 * reading of EN 303 645, where an infinite timeout fails) wants sessions to end, so that is a
 * FAIL on the declaration, with no probing: there is no declared value to wait for.
 */
import { ConsoleChannel } from '../harness/protocols/console/console-channel.js';
import { ChannelError } from '../harness/protocols/transport/channel.js';
import { compilePattern } from '../harness/profile/pattern.js';
import type { TargetProfile } from '../harness/profile/target-schema.js';
import { scenario } from '../harness/runner/scenario.js';
import { VerdictStop } from '../harness/runner/scenario-context.js';

export function idleMarginMs(timeoutMs: number): number {
  return Math.max(1_000, Math.round(timeoutMs / 4));
}

function budgetMs(t: TargetProfile): number {
  const T = t.interfaces.console?.timeoutMs ?? 3000;
  const idle = t.policy.idleTimeoutMs ?? 0;
  // open + login (≈6 prompt waits) + status + the idle wait + the after-check and logout
  return 10_000 + 12 * T + idle + idleMarginMs(idle);
}

export default scenario({
  id: 'idle-session-timeout',
  title: 'An idle console session ends within the declared idle timeout',
  requirements: ['CPSF:L2.006', 'IEC62443-4-2:CR2.5', 'IEC62443-4-2:CR2.6', 'NISTIR8259A:LAI-2'],
  interfaces: ['console'],
  changesState: false,
  budgetMs,
  async run(ctx) {
    const t = ctx.target;
    const cfg = t.interfaces.console!;
    const idleMs = t.policy.idleTimeoutMs;
    if (idleMs === undefined) {
      ctx.fail('the profile declares no idle timeout (policy.idleTimeoutMs): an idle console session never ends', 'console');
      return;
    }
    const acct = ctx.secrets.user ?? ctx.secrets.admin;
    if (!acct) throw new VerdictStop('ERROR', 'the profile declares no account to log in with');
    const statusOk = compilePattern(cfg.responses.statusOk);
    const margin = idleMarginMs(idleMs);

    let con: ConsoleChannel;
    try {
      con = ctx.track(await ConsoleChannel.open(cfg, ctx.channelCtx, { signal: ctx.signal }));
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      throw new VerdictStop('ERROR', `console not reachable: ${(e as Error).message}`, 'console');
    }
    let login = await con.login(acct.username, acct.password, { signal: ctx.signal });
    if (login.alreadyLoggedIn) {
      // A session left open (by someone else): end it and log in ourselves.
      await con.logout({ signal: ctx.signal }).catch(() => undefined);
      login = await con.login(acct.username, acct.password, { signal: ctx.signal });
    }
    const status = login.outcome === 'shell' && !login.alreadyLoggedIn ? await con.run(cfg.commands.status, { signal: ctx.signal }).catch((e: Error) => ({ output: e.message, promptSeen: 'error' })) : undefined;
    // The moment of our last input: the status line was written before its output came back.
    const lastInput = performance.now();
    const works = !!status && status.promptSeen !== 'error' && statusOk.test(status.output);
    ctx.control(`${acct.username} logs in on console and "${cfg.commands.status}" works`, {
      passed: works,
      actual: status ? status.output.slice(0, 120) : `${login.outcome}${login.promptSeen ? ` (${login.promptSeen})` : ''}`,
      iface: 'console',
      reason: login.alreadyLoggedIn
        ? 'console gives a shell without login (a shell prompt again right after logout): an idle login session cannot be judged'
        : `positive control failed: no working console session for ${acct.username} (${login.outcome})`,
      onFail: !login.alreadyLoggedIn && (login.outcome === 'timeout' || login.outcome === 'unexpected' || login.outcome === 'closed') ? 'ERROR' : 'INCONCLUSIVE',
    });
    ctx.defer('log out of the console', () => void con.logout({ timeoutMs: 2_000 }).catch(() => undefined));

    // Stay silent. Any of these means the session ended: the idle message, a login prompt, the line closing.
    const ends: Record<string, RegExp> = { login: compilePattern(cfg.prompts.login) };
    if (cfg.prompts.idleLogout) ends.idleLogout = compilePattern(cfg.prompts.idleLogout);
    let endedBy: string | undefined;
    try {
      const w = await con.tryWaitFor(ends, { signal: ctx.signal, timeoutMs: Math.max(1, Math.round(idleMs + margin - (performance.now() - lastInput))) });
      endedBy = w?.matched;
    } catch (e) {
      if (!(e instanceof ChannelError) || ctx.signal.aborted) throw e;
    }
    if (!endedBy && con.closed) endedBy = 'line closed';
    const idleFor = Math.round(performance.now() - lastInput);
    ctx.measure('idleLogoutAfter', endedBy ? idleFor : null, { unit: 'ms', limits: { max: idleMs + margin }, iface: 'console' });
    ctx.log(`console ${endedBy ? `ended the session (${endedBy})` : 'printed nothing'} after ${idleFor} ms idle (declared ${idleMs} ms, margin ${margin} ms)`);

    // Judge by effect: the status command must not run any more.
    let stillRuns = false;
    if (!con.closed) {
      const again = await con.run(cfg.commands.status, { signal: ctx.signal, timeoutMs: cfg.timeoutMs }).catch(() => undefined);
      stillRuns = !!again && (again.promptSeen === 'shell' || again.promptSeen === 'adminShell') && statusOk.test(again.output);
      ctx.log(`"${cfg.commands.status}" after the idle period: ${stillRuns ? 'RAN' : 'did not run'}${again ? ` (ended at ${again.promptSeen} prompt)` : ''}`);
      // A stray user name typed at the login prompt may leave a password prompt behind: clear it.
      if (!stillRuns) await con.sendRaw(cfg.wakeup, { signal: ctx.signal }).catch(() => undefined);
    }
    const passed = ctx.check('idle session ended', {
      expected: `session ends within ${idleMs} + ${margin} ms of silence`,
      actual: stillRuns ? `"${cfg.commands.status}" still runs after ${idleFor} ms idle` : endedBy ? `ended (${endedBy}) after ${idleFor} ms` : 'command refused, no message',
      passed: !stillRuns,
      iface: 'console',
      reason: `console session still open after ${(idleFor / 1000).toFixed(1)} s idle (declared idle timeout ${idleMs / 1000} s)`,
    });
    if (passed) ctx.pass(endedBy ? `idle session ended after ${idleFor} ms (${endedBy}; declared ${idleMs} ms)` : `idle session no longer runs commands after ${idleFor} ms (no logout message seen)`, 'console');
  },
});
