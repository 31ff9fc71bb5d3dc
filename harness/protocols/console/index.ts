import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { ProtocolModule } from '../protocol.js';
import { ConsoleAuthSurface } from './console-auth.js';
import { consoleIdleSession } from './console-idle-session.js';
import { consoleDecoder } from './console-decoder.js';
import { malformedConsole } from './malformed-console.js';
import { consoleIdentify } from './console-identify.js';
import { ConsolePointAccess } from './console-point-access.js';
import { ConsolePasswordChanger } from './password-change.js';
import { consolePrivilege } from './console-privilege.js';

const cfg = (t: { interfaces: { console?: ConsoleInterface } }): ConsoleInterface => {
  if (!t.interfaces.console) throw new Error('the target has no console interface');
  return t.interfaces.console;
};

/** A serial (or terminal-server TCP) console with login prompts and a shell. */
const consoleProtocol: ProtocolModule = {
  name: 'console',
  malformed: malformedConsole,
  identify: consoleIdentify,
  decoder: consoleDecoder,
  interfaces: (t) => (t.interfaces.console ? ['console'] : []),
  login: {
    surface: (t, _iface, ctx) => new ConsoleAuthSurface(cfg(t), ctx),
    // Prompt waits for login, password, shell, the status command, logout, and a wake-up.
    attemptBoundMs: (t) => 6 * cfg(t).timeoutMs,
    controlRole: 'user',
    anonymousBoundMs: (t) => 12 * cfg(t).timeoutMs,
    passwords: {
      declared: (t) => cfg(t).commands.changePassword !== undefined,
      changer: (t, surface, username) => {
        if (!(surface instanceof ConsoleAuthSurface) || !cfg(t).commands.changePassword) throw new Error('no console changePassword command declared');
        return new ConsolePasswordChanger(surface, cfg(t), cfg(t).commands.changePassword!, username);
      },
    },
  },
  points: {
    path: () => 'console',
    reactionKey: 'console',
    needsAccount: true,
    timeoutMs: (t) => cfg(t).timeoutMs,
    open: (t, _iface, account, ctx) => {
      if (!account) throw new Error('the profile declares no admin account (credentials.admin), which console writes need');
      return ConsolePointAccess.open(cfg(t), account, ctx);
    },
  },
  privilege: {
    unsupported: (t) => (cfg(t).commands.setPoint ? undefined : 'profile declares no console set-point command (commands.setPoint)'),
    maps: (p) => p.console !== undefined,
    noPoint: 'no writable numeric point with a console name is declared',
    probe: (t, iface, accounts, plan, run) => consolePrivilege(cfg(t), iface, accounts, plan, run),
    // Five logins (each: login, a command, logout), the admin's write and read-backs, two field watches.
    boundMs: (t) => 30 * cfg(t).timeoutMs,
  },
  idleSession: {
    probe: (t, iface, account, wait, run) => consoleIdleSession(cfg(t), iface, account, wait, run),
    // Open, login (about six prompt waits), the status command, the after-check and logout.
    boundMs: (t) => 12 * cfg(t).timeoutMs,
  },
};
export default consoleProtocol;
