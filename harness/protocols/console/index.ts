import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { ProtocolModule } from '../protocol.js';
import { ConsoleAuthSurface } from './console-auth.js';
import { consoleConfig, consoleInterfaces } from './console-endpoints.js';
import { consoleIdleSession } from './console-idle-session.js';
import { consoleDecoder } from './console-decoder.js';
import { malformedConsole } from './malformed-console.js';
import { consoleIdentify } from './console-identify.js';
import { ConsolePointAccess } from './console-point-access.js';
import { ConsolePasswordChanger } from './password-change.js';
import { consolePrivilege } from './console-privilege.js';

// The main endpoint's settings; per-interface code uses consoleConfig(t, iface).
const cfg = (t: { interfaces: { console?: ConsoleInterface } }): ConsoleInterface => consoleConfig(t);

/** A serial (or terminal-server TCP) console with login prompts and a shell. */
const consoleProtocol: ProtocolModule = {
  name: 'console',
  malformed: malformedConsole,
  identify: consoleIdentify,
  decoder: consoleDecoder,
  // The serial line is 'console'; further endpoints (a TCP port) are 'console-<key>'.
  interfaces: consoleInterfaces,
  login: {
    surface: (t, iface, ctx) => new ConsoleAuthSurface(consoleConfig(t, iface), ctx, iface),
    // Prompt waits for login, password, shell, the status command, logout, and a wake-up (each with its declared step deadline).
    attemptBoundMs: (t) => {
      const c = cfg(t);
      const at = (k: keyof NonNullable<ConsoleInterface['timeouts']>) => c.timeouts?.[k] ?? c.timeoutMs;
      return 2 * c.timeoutMs + at('login') + at('password') + at('verdict') + at('command');
    },
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
    open: (t, iface, account, ctx) => {
      if (!account) throw new Error(`the profile declares no admin account on ${iface} (accounts[].interfaces), which console writes need`);
      return ConsolePointAccess.open(consoleConfig(t, iface), account, ctx);
    },
  },
  privilege: {
    unsupported: (t) => (!cfg(t).commands.setPoint ? 'profile declares no console set-point command (commands.setPoint)' : !cfg(t).responses.rejected ? 'profile declares no console refusal pattern (responses.rejected)' : undefined),
    maps: (p) => p.console !== undefined,
    noPoint: 'no writable numeric point with a console name is declared',
    probe: (t, iface, accounts, plan, run, out) => consolePrivilege(consoleConfig(t, iface), iface, accounts, plan, run, out),
    // Five logins (each: login, a command, logout), the admin's write and read-backs, two field watches.
    boundMs: (t) => 30 * cfg(t).timeoutMs,
  },
  idleSession: {
    probe: (t, iface, account, wait, run, out) => consoleIdleSession(consoleConfig(t, iface), iface, account, wait, run, out),
    // Open, login (about six prompt waits), the status command, the after-check and logout.
    boundMs: (t) => 12 * cfg(t).timeoutMs,
  },
};
export default consoleProtocol;
