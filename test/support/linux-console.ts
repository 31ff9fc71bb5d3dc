// A stock embedded-Linux console nobody here wrote: Debian's `login` with PAM (pam_faillock,
// pam_faildelay) and bash's TMOUT, one `login` per TCP connection behind a socat terminal server.
// It runs in a private mount namespace (`unshare -m`) whose /etc/passwd, /etc/shadow, /etc/group,
// /etc/pam.d/login and /etc/profile are files of a temp dir bound over the host's, so the host's
// files are never written (the test checks /etc byte for byte). Needs root (mount namespaces).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LinuxConsoleFlavour = 'secure' | 'flawed';

/** The files bound over the host's: what the test compares before and after. */
export const BOUND_FILES = ['passwd', 'shadow', 'group', 'pam.d/login', 'profile'] as const;
/** Declared in targets/linux-console.yaml: faillock deny and unlock_time, TMOUT. */
export const LOCK_THRESHOLD = 3;
export const UNLOCK_S = 4;
export const TMOUT_S = 3;

export interface LinuxConsole {
  port: number;
  /** Environment for targets/linux-console.yaml. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const hash = (pw: string) => execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: pw, encoding: 'utf8' }).trim();

function pam(flavour: LinuxConsoleFlavour, faillockDir: string): string {
  const fl = `deny=${LOCK_THRESHOLD} unlock_time=${UNLOCK_S} dir=${faillockDir}`;
  const auth =
    flavour === 'secure'
      ? [
          'auth     optional   pam_faildelay.so delay=300000',
          // requisite: a locked account is refused before its password is asked (and not counted again).
          `auth     requisite  pam_faillock.so preauth ${fl}`,
          'auth     [success=1 default=bad] pam_unix.so',
          `auth     [default=die] pam_faillock.so authfail ${fl}`,
          `auth     sufficient pam_faillock.so authsucc ${fl}`,
          'auth     required   pam_deny.so',
        ]
      : ['auth     optional   pam_faildelay.so delay=300000', 'auth     required   pam_unix.so'];
  return [...auth, 'account  required   pam_unix.so', 'session  required   pam_unix.so', ''].join('\n');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (c.destroy(), resolve(ok));
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });

/** Start the console; `passwords.op` and `passwords.op2` are the declared accounts' passwords. */
export async function startLinuxConsole(flavour: LinuxConsoleFlavour, passwords: { op: string; op2: string }): Promise<LinuxConsole> {
  const dir = mkdtempSync(join(tmpdir(), `hil-linux-console-${flavour}-`));
  const etc = join(dir, 'etc');
  const home = join(dir, 'home');
  const faillock = join(dir, 'faillock');
  for (const d of [join(etc, 'pam.d'), home, faillock]) mkdirSync(d, { recursive: true });
  chmodSync(dir, 0o755);
  const users: Array<[string, number, string]> = [
    ['op', 2001, passwords.op],
    ['op2', 2002, passwords.op2],
    ...(flavour === 'flawed' ? [['admin', 2003, 'admin'] as [string, number, string]] : []),
  ];
  writeFileSync(join(etc, 'passwd'), ['root:x:0:0:root:/root:/bin/bash', ...users.map(([u, id]) => `${u}:x:${id}:${id}:${u}:${home}:/bin/bash`), ''].join('\n'));
  writeFileSync(join(etc, 'group'), ['root:x:0:', ...users.map(([u, id]) => `${u}:x:${id}:`), ''].join('\n'));
  writeFileSync(join(etc, 'shadow'), ['root:*:19000:0:99999:7:::', ...users.map(([u, , pw]) => `${u}:${hash(pw)}:19000:0:99999:7:::`), ''].join('\n'), { mode: 0o640 });
  writeFileSync(join(etc, 'pam.d', 'login'), pam(flavour, faillock));
  const tmout = flavour === 'secure' ? `TMOUT=${TMOUT_S}\nreadonly TMOUT\nexport TMOUT\n` : '';
  writeFileSync(join(etc, 'profile'), `PS1='\\u@hilbox:\\w\\$ '\n${tmout}`);
  chmodSync(home, 0o777);
  chownSync(home, 2001, 2001);

  const port = await freePort();
  const binds = BOUND_FILES.map((f) => `mount --bind '${join(etc, f)}' '/etc/${f}'`).join(' && ');
  const socat = `socat TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork EXEC:login,pty,stderr,setsid,sigint,sane,ctty`;
  const child: ChildProcess = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${binds} && exec ${socat}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 50 && !(await canConnect(port)); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!(await canConnect(port))) {
    await stop();
    throw new Error(`linux console did not come up on port ${port}: ${err.trim()}`);
  }
  return {
    port,
    env: { LINUX_CONSOLE_PORT: String(port), LINUX_CONSOLE_OP_PASSWORD: passwords.op, LINUX_CONSOLE_OP2_PASSWORD: passwords.op2, LINUX_CONSOLE_FLAVOUR: flavour },
    stop,
  };
}
