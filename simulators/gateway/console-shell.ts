// The gateway's login shell, independent of the transport: the pty (serialport) and the raw
// TCP console both feed bytes in and get CRLF-terminated text out.
import type { AccountStore, Role } from './account-store.ts';
import { defaultOrigin, type LoginOrigin } from './lockout-book.ts';
import type { AlertSink, Surface } from './alerts.ts';
import type { ProcessModel } from './process-model.ts';
import type { SimConfig } from './sim-config.ts';
import { checkPointValue, isWritablePoint, POINT_SPECS, WRITABLE_POINTS } from './points.ts';

/** Bytes no terminal sends: control characters other than the usual editing keys, or NUL. */
function isBinaryNoise(data: Buffer | string): boolean {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let odd = 0;
  for (const c of b) if ((c < 0x20 && ![0x03, 0x08, 0x09, 0x0a, 0x0d, 0x1b].includes(c)) || c === 0xff) odd++;
  return odd >= 4;
}

export interface ShellDeps {
  config: SimConfig;
  accounts: AccountStore;
  model: ProcessModel;
  alerts: AlertSink;
}

type State = 'login' | 'password' | 'shell';
const CRLF = '\r\n';

export const SHELL_HELP = [
  'Commands:',
  '  show status                 process points and outputs',
  '  show users                  accounts',
  '  set <point> <value>         heaterSetpoint | valvePosition | pumpOn | heaterEnable',
  '  passwd <old> <new>          change your password',
  '  logout | exit               end the session',
];

export function formatStatus(model: ProcessModel): string[] {
  const s = model.snapshot();
  const c = s.commanded, a = s.actual;
  return [
    `heaterSetpoint: ${c.heaterSetpoint.toFixed(1)} degC`,
    `valvePosition: ${c.valvePosition.toFixed(0)} %`,
    `pumpOn: ${c.pumpOn}`,
    `heaterEnable: ${c.heaterEnable}`,
    `temperature: ${s.temperature.toFixed(1)} degC`,
    `heartbeat: ${s.heartbeat}`,
    `safeState: ${s.safeState}`,
    `outputs: heater=${a.heaterEnable ? 'on' : 'off'} valve=${a.valvePosition.toFixed(0)}% pump=${a.pumpOn ? 'on' : 'off'}`,
  ];
}

function parseValue(raw: string): number | boolean | string {
  if (/^(true|on)$/i.test(raw)) return true;
  if (/^(false|off)$/i.test(raw)) return false;
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

/** One console session. The owner supplies `write` and `close` and pumps bytes into `input`. */
export class ConsoleSession {
  private state: State = 'login';
  private line = '';
  private pendingUser = '';
  private user = '';
  private role: Role | undefined;
  private mustChange = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastWasCR = false;
  private closed = false;
  /** Failed logins in this session (a `login` process's retry count), for consoleDropAfterFailures. */
  private failures = 0;

  /** `hangup` ends the connection (TCP); without it (the serial line) a dropped line is a new session. */
  constructor(private readonly deps: ShellDeps, private readonly surface: Surface, private readonly write: (text: string) => void, private readonly hangup?: () => void,
    /** Client address and connection of this session, for the lockout counters (the line itself on serial). */
    private readonly origin: LoginOrigin = defaultOrigin(surface)) {}

  start(): void {
    if (!this.deps.config.switches.consoleLoginRequired) {
      this.enterShell('admin', 'admin', false);
      return;
    }
    this.send(this.deps.config.params.banner + CRLF);
    this.loginPrompt();
  }

  dispose(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
  }

  input(data: Buffer | string): void {
    if (this.closed) return;
    if (!this.deps.config.switches.inputValidation && isBinaryNoise(data)) this.deps.model.hang(this.deps.config.params.inputHangMs);
    if (this.state === 'shell') this.armIdle(); // any keystroke is activity, not only complete lines
    for (const ch of data.toString('latin1')) {
      // Per character: one chunk may carry the user name and the (never echoed) password.
      const echo = this.deps.config.params.consoleEcho && this.state !== 'password';
      if (ch === '\n' && this.lastWasCR) { this.lastWasCR = false; continue; } // CRLF counts once
      this.lastWasCR = ch === '\r';
      if (ch === '\r' || ch === '\n') {
        if (echo || this.state === 'password') this.send(CRLF);
        const line = this.line;
        this.line = '';
        this.handleLine(line.trim());
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line.length) { this.line = this.line.slice(0, -1); if (echo) this.send('\b \b'); }
      } else if (ch === '\x03') { // Ctrl-C drops the line, like a shell
        this.line = '';
        if (this.state === 'shell') this.send('^C' + CRLF + this.prompt());
      } else if (ch >= ' ') {
        if (this.line.length < 1024) this.line += ch;
        if (echo) this.send(ch);
      }
    }
  }

  private send(text: string): void { if (!this.closed) this.write(text); }
  // Prompts name the user, like a BusyBox shell: '[sysop@gw-sim]# ' for an admin, '[fieldtech@gw-sim]$ ' otherwise.
  private prompt(): string { return `[${this.user}@gw-sim]${this.role === 'admin' ? '#' : '$'} `; }
  private loginPrompt(): void { this.state = 'login'; this.send('GW-SIM login: '); }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    const { idleTimeout } = this.deps.config.switches;
    const ms = this.deps.config.params.idleTimeoutMs;
    if (!idleTimeout || ms <= 0 || this.state !== 'shell') return;
    this.idleTimer = setTimeout(() => {
      this.send(CRLF + 'Idle session closed' + CRLF);
      this.logout(false);
    }, ms);
    this.idleTimer.unref();
  }

  private enterShell(user: string, role: Role, mustChange: boolean): void {
    this.user = user; this.role = role; this.mustChange = mustChange;
    this.state = 'shell';
    this.send(`Welcome ${user}` + CRLF);
    if (mustChange) this.send('The default password must be changed before use: passwd <old> <new>' + CRLF);
    this.send(this.prompt());
    this.armIdle();
  }

  private logout(say = true): void {
    clearTimeout(this.idleTimer);
    if (say) this.send('Logged out' + CRLF);
    this.user = ''; this.role = undefined; this.mustChange = false;
    if (this.deps.config.switches.consoleLogoutCloses && this.hangup) { this.dropLine(); return; }
    this.newSession();
  }

  private newSession(): void {
    this.failures = 0;
    if (!this.deps.config.switches.consoleLoginRequired) { this.enterShell('admin', 'admin', false); return; }
    this.send(CRLF + this.deps.config.params.banner + CRLF);
    this.loginPrompt();
  }

  /** End the session with the line: the connection closes (TCP), or the serial line starts a new session. */
  private dropLine(): void {
    clearTimeout(this.idleTimer);
    if (!this.hangup) { this.newSession(); return; }
    this.dispose();
    this.hangup();
  }

  private handleLine(line: string): void {
    switch (this.state) {
      case 'login':
        // Not a user name (empty, or a command typed before logging in): just the prompt again.
        if (!line || /\s/.test(line)) { this.loginPrompt(); return; }
        this.pendingUser = line;
        this.state = 'password';
        this.send('Passphrase: ');
        return;
      case 'password': {
        const res = this.deps.accounts.authenticate(this.pendingUser, line, this.surface, this.origin);
        if (res.ok) { this.failures = 0; this.enterShell(res.user, res.role, res.mustChangePassword); return; }
        const drop = this.deps.config.switches.consoleDropAfterFailures;
        if (drop !== undefined && ++this.failures >= drop) {
          // Like `login` giving up: no failure text on the last try, only the count, then the line drops.
          this.send(`Maximum number of tries exceeded (${drop})` + CRLF);
          this.dropLine();
          return;
        }
        this.send((res.reason === 'locked' ? this.deps.config.params.lockMessage : 'Authentication failed') + CRLF);
        this.loginPrompt();
        return;
      }
      case 'shell':
        this.armIdle();
        this.command(line);
        if (this.state === 'shell') this.send(this.prompt());
    }
  }

  private command(line: string): void {
    const out = (l: string) => this.send(l + CRLF);
    const [cmd = '', ...args] = line.split(/\s+/).filter(Boolean);
    if (!cmd) return;
    if (this.mustChange && !['passwd', 'logout', 'exit', 'help'].includes(cmd)) {
      out('Refused: password change required (use: passwd <old> <new>)');
      return;
    }
    switch (cmd) {
      case 'help': SHELL_HELP.forEach(out); return;
      case 'show':
        if (args[0] === 'status') { formatStatus(this.deps.model).forEach(out); return; }
        if (args[0] === 'users') {
          out('USER       ROLE       STATUS');
          for (const u of this.deps.accounts.users(this.surface)) out(`${u.name.padEnd(10)} ${u.role.padEnd(10)} ${u.locked ? 'locked' : 'active'}${u.name === this.user ? ' *' : ''}`);
          return;
        }
        out('Usage: show status | show users');
        return;
      case 'set': return this.setPoint(args, out);
      case 'passwd': {
        if (args.length !== 2) { out('Usage: passwd <old> <new>'); return; }
        const r = this.deps.accounts.changePassword(this.user, args[0]!, args[1]!, this.surface);
        if (r.ok) { this.mustChange = false; out('Passphrase updated'); } else out(`Refused: ${r.reason}`);
        return;
      }
      case 'logout': case 'exit': this.logout(); return;
      default: out(`Unknown command: ${cmd} (type help)`);
    }
  }

  private setPoint(args: string[], out: (l: string) => void): void {
    const [point, raw] = args;
    if (!point || raw === undefined) { out(`Usage: set <point> <value>  (points: ${WRITABLE_POINTS.join(', ')})`); return; }
    if (!isWritablePoint(point)) { out(`Refused: unknown point ${point}`); return; }
    if (this.deps.config.switches.privilegeSeparation && this.role !== 'admin') { out(`Denied: role ${this.role} may not set points`); return; }
    const r = checkPointValue(point, parseValue(raw), this.deps.config.switches.rangeCheck.console);
    if (!r.ok) {
      if (r.reason === 'out-of-range') this.deps.alerts.raise({ event: 'command-rejected', user: this.user, surface: this.surface, point, value: raw, reason: r.reason });
      out(r.reason === 'out-of-range' ? 'Refused: value out of range' : 'Refused: invalid value');
      return;
    }
    // An accepted command from the operator station is master activity, like a Modbus write.
    this.deps.model.masterTraffic('console');
    this.deps.model.write(point, r.value);
    const spec = POINT_SPECS[point];
    out(`${point} = ${r.value}${spec.kind === 'number' ? ' ' + spec.unit : ''}${r.clamped ? ' (clamped)' : ''}`);
  }
}
