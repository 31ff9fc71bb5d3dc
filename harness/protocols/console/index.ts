import type { ConsoleInterface } from '../../profile/target-schema.js';
import type { ProtocolModule } from '../protocol.js';
import { ConsoleAuthSurface } from './console-auth.js';
import { ConsolePointAccess } from './console-point-access.js';

const cfg = (t: { interfaces: { console?: ConsoleInterface } }): ConsoleInterface => {
  if (!t.interfaces.console) throw new Error('the target has no console interface');
  return t.interfaces.console;
};

/** A serial (or terminal-server TCP) console with login prompts and a shell. */
const consoleProtocol: ProtocolModule = {
  name: 'console',
  interfaces: (t) => (t.interfaces.console ? ['console'] : []),
  login: {
    surface: (t, _iface, ctx) => new ConsoleAuthSurface(cfg(t), ctx),
    // Prompt waits for login, password, shell, the status command, logout, and a wake-up.
    attemptBoundMs: (t) => 6 * cfg(t).timeoutMs,
    controlRole: 'user',
    anonymousBoundMs: (t) => 12 * cfg(t).timeoutMs,
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
};
export default consoleProtocol;
