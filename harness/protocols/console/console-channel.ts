/**
 * Serial console (or raw TCP serial server): prompt waits with deadlines, echo suppression, ANSI and
 * CRLF normalisation, a transcript, and login automation that reports which prompt it saw.
 * Device behaviour (login refused, account locked, a prompt we did not expect) is returned as an
 * outcome; only harness/cable problems are thrown as ChannelError.
 */
import { compilePattern } from '../../profile/pattern.js';
import type { ConsoleInterface } from '../../profile/target-schema.js';
import { ByteTransport } from '../transport/byte-transport.js';
import { abortKind, ChannelError, opSignal, printable, type ChannelContext, type OpOptions } from '../transport/channel.js';
import { ConsoleTextNormalizer } from './console-text.js';

export type PromptName = 'login' | 'password' | 'shell' | 'adminShell' | 'failure' | 'locked' | 'idleLogout';

export interface WaitResult {
  /** Name of the pattern that matched (the key in the patterns record). */
  matched: string;
  /** Text consumed up to and including the match (echo removed, ANSI stripped, "\n" line ends). */
  text: string;
  /** Text before the match. */
  before: string;
  match: RegExpExecArray;
}

export type LoginOutcome = 'shell' | 'failure' | 'locked' | 'login-again' | 'timeout' | 'unexpected' | 'closed';

export interface LoginResult {
  outcome: LoginOutcome;
  /** The last prompt/message recognised, if any. */
  promptSeen?: PromptName;
  /** 'admin' when the adminShell prompt matched, 'user' for shell. */
  shellLevel?: 'admin' | 'user';
  /** A shell prompt was already there before we typed anything (no login performed). */
  alreadyLoggedIn?: boolean;
  /** The device went straight to a shell after the user name (no password asked). */
  noPasswordAsked?: boolean;
  /** Console text of this attempt (secrets masked). */
  transcript: string;
  elapsedMs: number;
}

export interface RunResult {
  /** Output of the command (echo and trailing prompt removed). */
  output: string;
  /** The prompt that ended the output: shell/adminShell normally, login/idleLogout if the session ended. */
  promptSeen: string;
}

export interface ProbeResult {
  /** A shell prompt appeared without any login. */
  shell: boolean;
  promptSeen?: PromptName;
  /** What we sent before the prompt appeared ('nothing', 'wakeup', 'CR', 'Ctrl-C'). */
  after?: string;
  transcript: string;
}

/** Raised by waitFor when no pattern matched in time. `unmatched` is the text that did arrive. */
export class ConsoleWaitError extends ChannelError {
  constructor(kind: ChannelError['kind'], message: string, readonly unmatched: string) {
    super(kind, message);
    this.name = 'ConsoleWaitError';
  }
}

const TRANSCRIPT_MAX = 1 << 20;

function cloneRegex(r: RegExp): RegExp {
  return new RegExp(r.source, r.flags.replace(/[gy]/g, ''));
}

export class ConsoleChannel {
  private buffer = '';
  private transcriptText = '';
  private transcriptDropped = 0;
  private pendingEcho = '';
  private readonly norm = new ConsoleTextNormalizer();
  private readonly prompts: Record<PromptName, RegExp | undefined>;
  private notify: (() => void) | undefined;
  /**
   * The login prompt a logout ended at, while nothing has arrived or been sent since: the next login
   * starts from it at once instead of waiting for the console to settle and waking it.
   */
  private atLoginPrompt = false;

  private constructor(
    readonly iface: ConsoleInterface,
    private readonly ctx: ChannelContext,
    private readonly transport: ByteTransport,
  ) {
    const p = iface.prompts;
    const rx = (s: string | undefined) => (s === undefined ? undefined : compilePattern(s));
    this.prompts = {
      login: rx(p.login),
      password: rx(p.password),
      shell: rx(p.shell),
      adminShell: rx(p.adminShell),
      failure: rx(p.failure),
      locked: rx(p.locked),
      idleLogout: rx(p.idleLogout),
    };
    transport.onData((b) => this.onBytes(b));
    transport.onClose(() => this.notify?.());
  }

  /** Open the console at iface.connect (device path or tcp://host:port). */
  static async open(iface: ConsoleInterface, ctx: ChannelContext, opts: OpOptions = {}): Promise<ConsoleChannel> {
    const t = await ByteTransport.open(iface.connect, ctx, {
      ...opts,
      channel: 'console',
      protocol: 'console',
      baudRate: iface.baudRate,
      coalesceRxMs: 20,
      timeoutMs: opts.timeoutMs ?? iface.timeoutMs,
    });
    return new ConsoleChannel(iface, ctx, t);
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  get conn(): string {
    return this.transport.conn;
  }

  /** Everything seen on this console so far (normalised, echo included). */
  get transcript(): string {
    return this.transcriptText;
  }

  /** Text received but not yet consumed by a wait. */
  get pending(): string {
    return this.buffer;
  }

  /** Discard unconsumed text (e.g. before a fresh wait that must not match stale output). */
  discardPending(): string {
    const b = this.buffer;
    this.buffer = '';
    return b;
  }

  /** Send a line (plus the profile's line ending); its echo will not be matched by later waits. */
  async send(line: string, opts: OpOptions = {}): Promise<void> {
    this.atLoginPrompt = false;
    this.pendingEcho = line + '\n';
    await this.transport.write(line + this.iface.lineEnding, opts);
  }

  /** Send raw bytes/characters (no line ending, no echo expected). */
  async sendRaw(data: string | Uint8Array, opts: OpOptions & { text?: string } = {}): Promise<void> {
    this.atLoginPrompt = false;
    this.pendingEcho = '';
    await this.transport.write(data, opts);
  }

  /**
   * Wait until one of `patterns` matches the unconsumed console text. The earliest match in the text
   * wins (ties: the order of the record). Consumes the text up to the end of the match.
   * Throws ConsoleWaitError: kind 'timeout' (nothing arrived), 'garbage' (text arrived, no pattern
   * matched), 'closed' (the stream ended), 'aborted' (run cancelled).
   */
  async waitFor(patterns: Record<string, RegExp>, opts: OpOptions = {}): Promise<WaitResult> {
    const entries = Object.entries(patterns).map(([k, r]) => [k, cloneRegex(r)] as const);
    const signal = opSignal(this.ctx, opts, this.iface.timeoutMs);
    const names = entries.map(([k]) => k).join('|');
    return new Promise<WaitResult>((resolve, reject) => {
      const finish = (fn: () => void) => {
        this.notify = undefined;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const check = () => {
        let best: { name: string; m: RegExpExecArray } | undefined;
        for (const [name, re] of entries) {
          const m = re.exec(this.buffer);
          if (m && (!best || m.index < best.m.index)) best = { name, m };
        }
        if (best) {
          const end = best.m.index + best.m[0].length;
          const text = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end);
          finish(() => resolve({ matched: best.name, text, before: text.slice(0, best.m.index), match: best.m }));
          return true;
        }
        if (this.transport.closed) {
          finish(() =>
            reject(new ConsoleWaitError('closed', `console closed while waiting for ${names}; got "${printable(this.buffer.slice(-200))}"`, this.buffer)),
          );
          return true;
        }
        return false;
      };
      const onAbort = () => {
        const got = this.buffer;
        const kind = abortKind(this.ctx, opts) === 'aborted' ? 'aborted' : got.trim() ? 'garbage' : 'timeout';
        const what = kind === 'garbage' ? `unrecognised console output while waiting for ${names}: "${printable(got.slice(-200))}"` : `no ${names} prompt within deadline`;
        finish(() => reject(new ConsoleWaitError(kind, what, got)));
      };
      if (check()) return;
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.notify = () => void check();
    });
  }

  /** Non-throwing waitFor: undefined on timeout/garbage/close. */
  async tryWaitFor(patterns: Record<string, RegExp>, opts: OpOptions = {}): Promise<WaitResult | undefined> {
    try {
      return await this.waitFor(patterns, opts);
    } catch (e) {
      if (e instanceof ConsoleWaitError && e.kind !== 'aborted') return undefined;
      throw e;
    }
  }

  /**
   * Log in with the profile's prompts. Wakes the console if no prompt is visible, passes banners,
   * and writes the password in a single write (so the evidence redactor masks it whole).
   * Never throws for device behaviour; throws ChannelError only on run cancel or write failure.
   */
  async login(username: string, password: string, opts: OpOptions & { quietMs?: number } = {}): Promise<LoginResult> {
    const t0 = Date.now();
    const start = this.transcriptText.length + this.transcriptDropped;
    this.ctx.evidence.redactor.add(password);
    const T = opts.timeoutMs ?? this.iface.timeoutMs;
    const o = { signal: opts.signal, timeoutMs: T };
    // Per-step reply deadlines the profile declares (interfaces.console.timeouts); an explicit one wins.
    const step = (k: 'login' | 'password' | 'verdict') => ({ signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.iface.timeouts?.[k] ?? T });
    const pick = (...names: PromptName[]) => this.patterns(names);
    const result = (outcome: LoginOutcome, extra: Partial<LoginResult> = {}): LoginResult => ({
      outcome,
      ...extra,
      transcript: this.ctx.evidence.redactor.text(this.transcriptSince(start)),
      elapsedMs: Date.now() - t0,
    });
    const failed = (e: unknown, promptSeen?: PromptName): LoginResult => {
      if (!(e instanceof ConsoleWaitError) || e.kind === 'aborted') throw e;
      return result(e.kind === 'closed' ? 'closed' : e.kind === 'garbage' ? 'unexpected' : 'timeout', promptSeen ? { promptSeen } : {});
    };

    // 1. Where is the console? At the login prompt our logout just saw, or look at what is there, then wake it.
    const where = pick('login', 'password', 'adminShell', 'shell', 'failure', 'locked');
    let at = this.takeLoginPrompt() ? 'login' : (await this.tryWaitFor(where, { signal: opts.signal, timeoutMs: Math.min(opts.quietMs ?? 300, T) }))?.matched;
    for (let i = 0; i < 3 && at !== 'login'; i++) {
      if (at === 'shell' || at === 'adminShell') {
        return result('shell', { promptSeen: at, shellLevel: at === 'adminShell' ? 'admin' : 'user', alreadyLoggedIn: true });
      }
      if (this.transport.closed) return result('closed');
      // Nothing yet, or stale failure text: wake the console. At a stale password prompt the wakeup
      // is an empty password (one failed attempt on the device, visible in the transcript).
      if (!at || at === 'password') await this.sendRaw(this.iface.wakeup, { ...o, text: `wakeup ${printable(this.iface.wakeup)}` });
      try {
        at = (await this.waitFor(where, step('login'))).matched;
      } catch (e) {
        return failed(e);
      }
    }
    if (at !== 'login') return result('unexpected', at ? { promptSeen: at as PromptName } : {});

    // 2. User name.
    await this.send(username, o);
    let w: WaitResult;
    try {
      w = await this.waitFor(pick('password', 'adminShell', 'shell', 'failure', 'locked', 'login'), step('password'));
    } catch (e) {
      return failed(e, 'login');
    }
    let lockedFirst = false;
    if (w.matched === 'locked') {
      // A lock message before the password prompt (pam_faillock's preauth): some devices still ask
      // for the password. Answer it, so no prompt is left behind and a shell after it is seen.
      const next = await this.tryWaitFor(pick('password', 'login', 'failure'), { signal: opts.signal, timeoutMs: Math.min(500, T) });
      if (next?.matched !== 'password') return this.outcomeFor('locked', result, true);
      lockedFirst = true;
    } else if (w.matched !== 'password') return this.outcomeFor(w.matched as PromptName, result, true);

    // 3. Password: one write, rx held so an echo of it stays in one (redacted) record.
    this.transport.holdRx(true);
    this.atLoginPrompt = false;
    try {
      this.pendingEcho = '';
      await this.transport.write(password + this.iface.lineEnding, { ...o, text: `[password, ${password.length} chars]${printable(this.iface.lineEnding)}` });
      w = await this.waitFor(pick('adminShell', 'shell', 'failure', 'locked', 'login', 'password'), step('verdict'));
      // Refused by a new login prompt alone: the next attempt starts from it.
      this.atLoginPrompt = w.matched === 'login' && !this.buffer.trim();
    } catch (e) {
      return failed(e, 'password');
    } finally {
      this.transport.holdRx(false);
      this.transport.flushRx();
    }
    // After a lock message, a refusal in any words is the lock; a shell means it did not hold.
    const seen = lockedFirst && w.matched !== 'shell' && w.matched !== 'adminShell' ? 'locked' : (w.matched as PromptName);
    return this.outcomeFor(seen, result, false);
  }

  /** Run a command in the shell and return its output up to the next prompt. Throws ConsoleWaitError on timeout. */
  async run(command: string, opts: OpOptions = {}): Promise<RunResult> {
    this.discardPending();
    await this.send(command, opts);
    const w = await this.waitFor(this.patterns(['adminShell', 'shell', 'login', 'idleLogout', 'locked']), { ...opts, timeoutMs: opts.timeoutMs ?? this.iface.timeouts?.command ?? this.iface.timeoutMs });
    return { output: w.before.replace(/^\n+/, '').replace(/\s+$/, ''), promptSeen: w.matched };
  }

  /** Send the logout command; true when the login prompt (or an idle-logout message / close) followed. */
  async logout(opts: OpOptions = {}): Promise<{ ok: boolean; promptSeen?: string }> {
    if (this.transport.closed) return { ok: true };
    await this.send(this.iface.commands.logout, opts);
    try {
      const w = await this.waitFor(this.patterns(['login', 'idleLogout']), opts);
      // The login prompt with nothing after it: the next login or probe may start from it.
      this.atLoginPrompt = w.matched === 'login' && !this.buffer.trim();
      return { ok: true, promptSeen: w.matched };
    } catch (e) {
      if (e instanceof ConsoleWaitError && e.kind === 'closed') return { ok: true };
      if (e instanceof ConsoleWaitError && e.kind !== 'aborted') return { ok: false };
      throw e;
    }
  }

  /**
   * Without logging in: look at what the console shows, then send wakeup, CR and Ctrl-C in turn, and
   * report whether a shell prompt appeared ("an unused console gives no shell").
   */
  async probeWithoutLogin(opts: OpOptions = {}): Promise<ProbeResult> {
    const start = this.transcriptText.length + this.transcriptDropped;
    const T = opts.timeoutMs ?? this.iface.timeoutMs;
    const stepMs = Math.max(200, Math.floor(T / 4));
    const pats = this.patterns(['adminShell', 'shell', 'login', 'password']);
    const steps: Array<[string, string | undefined]> = [
      ['nothing', undefined],
      ['wakeup', this.iface.wakeup],
      ['CR', '\r'],
      ['Ctrl-C', '\x03'],
    ];
    // At the login prompt our logout saw, the look is done: nothing came by itself since; wake it at once.
    const skipLook = this.takeLoginPrompt();
    for (const [after, bytes] of steps) {
      if (this.transport.closed) break;
      if (bytes === undefined && skipLook) continue;
      if (bytes !== undefined) await this.sendRaw(bytes, { signal: opts.signal, timeoutMs: T, text: `${after} ${printable(bytes)}` });
      const w = await this.tryWaitFor(pats, { signal: opts.signal, timeoutMs: stepMs });
      if (w) {
        const shell = w.matched === 'shell' || w.matched === 'adminShell';
        return { shell, promptSeen: w.matched as PromptName, after, transcript: this.transcriptSince(start) };
      }
    }
    return { shell: false, transcript: this.transcriptSince(start) };
  }

  /** Close the console (idempotent). */
  async close(): Promise<void> {
    this.notify?.();
    await this.transport.close();
  }

  private outcomeFor(
    name: PromptName,
    result: (o: LoginOutcome, extra?: Partial<LoginResult>) => LoginResult,
    afterUsername: boolean,
  ): LoginResult {
    switch (name) {
      case 'shell':
      case 'adminShell':
        return result('shell', {
          promptSeen: name,
          shellLevel: name === 'adminShell' ? 'admin' : 'user',
          ...(afterUsername ? { noPasswordAsked: true } : {}),
        });
      case 'failure':
        return result('failure', { promptSeen: name });
      case 'locked':
        return result('locked', { promptSeen: name });
      case 'login':
        return result('login-again', { promptSeen: name });
      default:
        return result('unexpected', { promptSeen: name });
    }
  }

  /** Whether the console still shows the login prompt our logout ended at (asked once: the caller goes on from it). */
  private takeLoginPrompt(): boolean {
    const resting = this.atLoginPrompt && !this.buffer.trim() && !this.transport.closed;
    this.atLoginPrompt = false;
    return resting;
  }

  private patterns(names: PromptName[]): Record<string, RegExp> {
    const out: Record<string, RegExp> = {};
    for (const n of names) {
      const r = this.prompts[n];
      if (r) out[n] = r;
    }
    return out;
  }

  private transcriptSince(absStart: number): string {
    return this.transcriptText.slice(Math.max(0, absStart - this.transcriptDropped));
  }

  private onBytes(b: Buffer): void {
    const text = this.norm.feed(b);
    if (!text) return;
    // Anything visible after the prompt means the console is no longer (only) at it.
    if (text.trim()) this.atLoginPrompt = false;
    this.transcriptText += text;
    if (this.transcriptText.length > TRANSCRIPT_MAX) {
      const cut = this.transcriptText.length - TRANSCRIPT_MAX / 2;
      this.transcriptText = this.transcriptText.slice(cut);
      this.transcriptDropped += cut;
    }
    for (const ch of text) {
      if (this.pendingEcho) {
        if (ch === this.pendingEcho[0]) {
          this.pendingEcho = this.pendingEcho.slice(1);
          continue;
        }
        this.pendingEcho = ''; // the device does not echo (or printed something else first)
      }
      if (ch === '\b') this.buffer = this.buffer.slice(0, -1);
      else this.buffer += ch;
    }
    if (this.buffer.length > TRANSCRIPT_MAX) this.buffer = this.buffer.slice(-TRANSCRIPT_MAX / 2);
    this.notify?.();
  }
}
