// A scripted console device for the console-channel tests: the behaviour switches let each test
// make it misbehave (wrong prompt, silence, ANSI colours, echo of the password, closing mid-login).
export interface FakeConsoleOptions {
  password: string;
  echo?: boolean;
  /** Echo the password too (a weak device), one character per write. */
  echoPassword?: boolean;
  ansi?: boolean;
  banner?: string;
  loginPrompt?: string;
  /** Print nothing until the first byte arrives. */
  silentUntilKey?: boolean;
  /** Never print anything. */
  silent?: boolean;
  /** Lock the account after this many failures. */
  lockAfter?: number;
  /** No login at all: straight to the shell. */
  noLogin?: boolean;
  /** Close the connection when the user name arrives. */
  closeAfterUsername?: boolean;
}

export function fakeConsole(write: (s: string) => void, close: () => void, o: FakeConsoleOptions) {
  const c = (code: string, s: string) => (o.ansi ? `\x1b[${code}m${s}\x1b[0m` : s);
  let state: 'login' | 'password' | 'shell' = o.noLogin ? 'shell' : 'login';
  let line = '';
  let user = '';
  let failures = 0;
  let started = false;
  const shellPrompt = () => c('1;32', user === 'admin' ? 'gw# ' : 'gw> ');
  const loginPrompt = () => write(o.loginPrompt ?? 'gateway login: ');
  const start = () => {
    if (started || o.silent) return;
    started = true;
    if (o.noLogin) return write(shellPrompt());
    write(c('36', o.banner ?? 'GW-FAKE gateway - authorized use only') + '\r\n');
    loginPrompt();
  };
  if (!o.silentUntilKey) start();
  let lastCR = false;
  return {
    input(data: Buffer) {
      if (o.silent) return;
      if (!started) {
        start();
        return;
      }
      for (const ch of data.toString('latin1')) {
        if (ch === '\n' && lastCR) {
          lastCR = false;
          continue;
        }
        lastCR = ch === '\r';
        if (ch === '\x03') {
          line = '';
          if (state === 'shell') write('^C\r\n' + shellPrompt());
          continue;
        }
        if (ch !== '\r' && ch !== '\n') {
          line += ch;
          if (o.echo && (state !== 'password' || o.echoPassword)) write(ch);
          continue;
        }
        if (o.echo || state === 'password') write('\r\n');
        const l = line.trim();
        line = '';
        if (state === 'login') {
          if (!l) {
            loginPrompt();
            continue;
          }
          if (o.closeAfterUsername) return close();
          user = l;
          state = 'password';
          write('Password: ');
        } else if (state === 'password') {
          if (o.lockAfter !== undefined && failures >= o.lockAfter) {
            write('Account locked\r\n');
            state = 'login';
            loginPrompt();
          } else if (l === o.password) {
            state = 'shell';
            write(`Welcome ${user}\r\n` + shellPrompt());
          } else {
            failures++;
            write(c('31', 'Login incorrect') + '\r\n');
            state = 'login';
            loginPrompt();
          }
        } else {
          if (l === 'logout') {
            write('Logged out\r\n');
            if (o.noLogin) {
              write(shellPrompt());
              continue;
            }
            state = 'login';
            user = '';
            loginPrompt();
          } else if (l === 'show status') write('heaterSetpoint: 90.0 degC\r\n' + c('33', 'safeState: false') + '\r\n' + shellPrompt());
          else if (l) write(`Unknown command: ${l}\r\n` + shellPrompt());
          else write(shellPrompt());
        }
      }
    },
  };
}
