import { SerialPort } from 'serialport';
import { describe, expect, test } from 'vitest';
import { ChannelError } from '../../harness/protocols/transport/channel.js';
import { ConsoleChannel, ConsoleWaitError } from '../../harness/protocols/console/console-channel.js';
import { ConsoleTextNormalizer } from '../../harness/protocols/console/console-text.js';
import { ConsoleInterface } from '../../harness/profile/target-schema.js';
import { fakeConsole, type FakeConsoleOptions } from './fake-console.js';
import { closedPort, haveBinary, ptyPair, tcpPeer, type TestEvidence, useTestCleanups } from './helpers.js';

const PASSWORD = 'S3cret!Console-Pw';
const hasSocat = haveBinary('socat', '-V');

const iface = (connect: string, timeoutMs = 1500) =>
  ConsoleInterface.parse({
    connect,
    prompts: {
      login: 'login: ?$',
      password: 'Password: ?$',
      shell: 'gw> ?$',
      adminShell: 'gw# ?$',
      failure: 'Login incorrect',
      locked: 'Account locked',
    },
    commands: { status: 'show status' },
    responses: { statusOk: 'heaterSetpoint', rejected: 'Error' },
    timeoutMs,
  });

const { cleanups, evidence: newEvidence } = useTestCleanups();

async function tcpDevice(o: Partial<FakeConsoleOptions> = {}) {
  const peer = await tcpPeer((s) => {
    const dev = fakeConsole((t) => s.writable && s.write(t, 'latin1'), () => s.destroy(), { password: PASSWORD, ...o });
    s.on('data', (d) => dev.input(d));
  });
  cleanups.push(() => peer.close());
  return peer;
}

const evidence = () => newEvidence([]); // no secrets preloaded: the channel must add the password to the redactor itself

async function open(connect: string, ev: TestEvidence, timeoutMs = 1500) {
  const ch = await ConsoleChannel.open(iface(connect, timeoutMs), { evidence: ev.evidence });
  cleanups.push(() => ch.close());
  return ch;
}

describe('console text normalisation', () => {
  test('strips ANSI split across chunks and normalises CRLF split across chunks', () => {
    const n = new ConsoleTextNormalizer();
    const out = [Buffer.from('\x1b[1;3'), Buffer.from('2mgw>\x1b[0m line\r'), Buffer.from('\nnext\rlast\x1b]0;title\x07!')].map((b) => n.feed(b)).join('');
    expect(out).toBe('gw> line\nnext\nlast!');
  });
});

describe('console channel over TCP', () => {
  test('login with echo, ANSI colours and a banner; run a command; logout; password never in evidence', async () => {
    const ev = evidence();
    const peer = await tcpDevice({ echo: true, ansi: true });
    const ch = await open(peer.url, ev);
    const r = await ch.login('admin', PASSWORD);
    expect(r.outcome).toBe('shell');
    expect(r.promptSeen).toBe('adminShell');
    expect(r.shellLevel).toBe('admin');
    expect(r.transcript).toContain('authorized use only');
    const out = await ch.run('show status');
    expect(out.promptSeen).toBe('adminShell');
    expect(out.output).toBe('heaterSetpoint: 90.0 degC\nsafeState: false');
    expect(out.output).not.toContain('show status'); // echo removed
    expect((await ch.logout()).promptSeen).toBe('login');
    await ch.close();
    await ch.close(); // idempotent
    const text = ev.fullText();
    expect(text).not.toContain(PASSWORD);
    // The redactor masks secrets in wire bytes (same length, so framing stays valid) and in text.
    expect(text).toContain('*'.repeat(PASSWORD.length));
    const recs = ev.records();
    expect(recs.some((r) => r.dir === 'tx' && r.endpoints?.proto === 'tcp' && /^127\.0\.0\.1:\d+$/.test(r.endpoints.local))).toBe(true);
    expect(recs.some((r) => r.dir === 'rx')).toBe(true);
    expect(recs.at(-1)?.dir).toBe('close');
  });

  test('a device that echoes the password character by character still leaves no password in evidence', async () => {
    const ev = evidence();
    const peer = await tcpDevice({ echo: true, echoPassword: true });
    const ch = await open(peer.url, ev);
    expect((await ch.login('operator', PASSWORD)).outcome).toBe('shell');
    expect((await ch.login('operator', PASSWORD)).alreadyLoggedIn).toBe(true);
    await ch.close();
    expect(ev.fullText()).not.toContain(PASSWORD);
  });

  test('wrong password reports failure, then a correct login works on the same connection', async () => {
    const ev = evidence();
    const peer = await tcpDevice({ echo: true });
    const ch = await open(peer.url, ev);
    const bad = await ch.login('operator', 'wrong-password');
    expect(bad).toMatchObject({ outcome: 'failure', promptSeen: 'failure' });
    const good = await ch.login('operator', PASSWORD);
    expect(good).toMatchObject({ outcome: 'shell', promptSeen: 'shell', shellLevel: 'user' });
  });

  test('locked account is reported as locked', async () => {
    const peer = await tcpDevice({ lockAfter: 0 });
    const ch = await open(peer.url, evidence());
    expect(await ch.login('admin', PASSWORD)).toMatchObject({ outcome: 'locked', promptSeen: 'locked' });
  });

  test('wrong prompt: a console that says "Username:" gives outcome unexpected with the text it saw', async () => {
    const peer = await tcpDevice({ loginPrompt: 'Username: ' });
    const ch = await open(peer.url, evidence(), 400);
    const r = await ch.login('admin', PASSWORD);
    expect(r.outcome).toBe('unexpected');
    expect(r.transcript).toContain('Username:');
    await expect(ch.waitFor({ login: /login: $/ }, { timeoutMs: 100 })).rejects.toMatchObject({ kind: 'garbage' });
  });

  test('silent console: wakeup is sent, then outcome timeout within the deadline', async () => {
    const ev = evidence();
    const peer = await tcpDevice({ silent: true });
    const ch = await open(peer.url, ev, 300);
    const t0 = Date.now();
    const r = await ch.login('admin', PASSWORD);
    expect(r.outcome).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(ev.records().some((x) => x.dir === 'tx' && x.text?.startsWith('wakeup'))).toBe(true);
  });

  test('a console that prints nothing until a key is pressed is woken', async () => {
    const peer = await tcpDevice({ silentUntilKey: true });
    const ch = await open(peer.url, evidence());
    expect((await ch.login('operator', PASSWORD)).outcome).toBe('shell');
  });

  test('device closing mid-login gives outcome closed; later operations report closed', async () => {
    const peer = await tcpDevice({ closeAfterUsername: true });
    const ch = await open(peer.url, evidence());
    const r = await ch.login('admin', PASSWORD);
    expect(r.outcome).toBe('closed');
    await expect(ch.send('x')).rejects.toMatchObject({ kind: 'closed' });
    await expect(ch.waitFor({ a: /a/ })).rejects.toBeInstanceOf(ConsoleWaitError);
  });

  test('connection refused is a ChannelError of kind refused', async () => {
    const port = await closedPort();
    const err = await ConsoleChannel.open(iface(`tcp://127.0.0.1:${port}`), { evidence: evidence().evidence }).catch((e) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err.kind).toBe('refused');
  });

  test('run-level cancel ends a pending wait with kind aborted', async () => {
    const peer = await tcpDevice({ silent: true });
    const ac = new AbortController();
    const ch = await ConsoleChannel.open(iface(peer.url, 5000), { evidence: evidence().evidence, signal: ac.signal });
    cleanups.push(() => ch.close());
    setTimeout(() => ac.abort(), 50);
    await expect(ch.waitFor({ x: /x/ })).rejects.toMatchObject({ kind: 'aborted' });
  });

  test('probeWithoutLogin: a login console gives no shell; an open console does', async () => {
    const locked = await tcpDevice({ silentUntilKey: true });
    const a = await open(locked.url, evidence(), 800);
    expect(await a.probeWithoutLogin()).toMatchObject({ shell: false, promptSeen: 'login' });
    const open1 = await tcpDevice({ noLogin: true, silentUntilKey: true });
    const b = await open(open1.url, evidence(), 800);
    expect(await b.probeWithoutLogin()).toMatchObject({ shell: true, promptSeen: 'shell', after: 'wakeup' });
  });
});

describe.skipIf(!hasSocat)('console channel over a socat pty (serialport)', () => {
  test('login over a real pty, evidence has proto serial and the device path', async () => {
    const pty = await ptyPair();
    cleanups.push(() => pty.close());
    const dev = new SerialPort({ path: pty.a, baudRate: 115200, autoOpen: false });
    await new Promise<void>((r, j) => dev.open((e) => (e ? j(e) : r())));
    cleanups.push(() => new Promise<void>((r) => (dev.isOpen ? dev.close(() => r()) : r())));
    const fake = fakeConsole((t) => dev.write(t, 'latin1'), () => dev.close(), { password: PASSWORD, echo: true, ansi: true, silentUntilKey: true });
    dev.on('data', (d: Buffer) => fake.input(d));
    const ev = evidence();
    const ch = await open(pty.b, ev);
    const r = await ch.login('admin', PASSWORD);
    expect(r.outcome).toBe('shell');
    expect((await ch.run('show status')).output).toContain('heaterSetpoint');
    await ch.close();
    const recs = ev.records();
    expect(recs.find((x) => x.dir === 'open')?.endpoints).toEqual({ proto: 'serial', local: 'harness', remote: pty.b });
    expect(ev.fullText()).not.toContain(PASSWORD);
  });

  test('socat dying mid-session surfaces as closed', async () => {
    const pty = await ptyPair();
    cleanups.push(() => pty.close());
    const ch = await open(pty.b, evidence());
    const waiting = expect(ch.waitFor({ shell: /gw> $/ }, { timeoutMs: 3000 })).rejects.toMatchObject({ kind: 'closed' });
    await pty.close();
    await waiting;
  });

  test('a serial path that does not exist is refused', async () => {
    const err = await ConsoleChannel.open(iface('/tmp/hil-no-such-tty-xyz'), { evidence: evidence().evidence }).catch((e) => e);
    expect(err).toMatchObject({ kind: 'refused' });
  });
});
