// After a logout the console shows its login prompt: the next login (or the no-login probe) starts
// from it as soon as it is seen, instead of waiting for the console to settle and waking it.
// Against the simulated gateway's serial console (a real socat pty), and a scripted TCP console
// for a device that prints more after its prompt.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConsoleChannel } from '../../harness/protocols/console/console-channel.js';
import { ConsoleInterface } from '../../harness/profile/target-schema.js';
import type { EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { DEFAULT_ADMIN_PASSWORD, SIM_ACCOUNT_NAMES, startSimulator, type Simulator } from '../../simulators/gateway/index.js';
import { haveBinary, simConsoleInterface, tcpPeer, useTestCleanups } from './helpers.js';

const ADMIN_PW = process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
const hasSocat = haveBinary('socat', '-V');
const { cleanups, evidence } = useTestCleanups();


const ms = (r: EvidenceRecord) => Number(BigInt(r.mono)) / 1e6;
/** The records from the last one whose text matches `from` on. */
function after(recs: EvidenceRecord[], from: RegExp): EvidenceRecord[] {
  let i = recs.length - 1;
  while (i > 0 && !(recs[i]!.dir === 'rx' && from.test(Buffer.from(recs[i]!.data ?? '', 'hex').toString('latin1')))) i--;
  return recs.slice(i);
}

describe.skipIf(!hasSocat)('console: after logout, the login prompt is used when it is seen', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ profile: 'hardened', opcua: false });
  });
  afterAll(async () => sim?.stop());

  test('logout, then login: the user name follows the login prompt at once (no quiet wait, no wakeup)', async () => {
    const ev = evidence();
    const ch = await ConsoleChannel.open(simConsoleInterface(sim.endpoints.console.pty!), { evidence: ev.evidence });
    cleanups.push(() => ch.close());
    // A settle time far longer than the test's bound: had the login waited for the console to settle, it shows.
    const quietMs = 2500;
    expect((await ch.login(SIM_ACCOUNT_NAMES.console.admin, ADMIN_PW, { quietMs })).outcome).toBe('shell');
    expect(await ch.logout()).toEqual({ ok: true, promptSeen: 'login' });
    const again = await ch.login(SIM_ACCOUNT_NAMES.console.admin, ADMIN_PW, { quietMs });
    expect(again.outcome).toBe('shell');
    expect(again.elapsedMs).toBeLessThan(quietMs);
    const since = after(ev.records(), /Logged out/);
    const tx = since.filter((r) => r.dir === 'tx');
    expect(tx[0]?.text).toBe(`${SIM_ACCOUNT_NAMES.console.admin}\\r`); // the user name (printable), not a wakeup
    expect(ms(tx[0]!) - ms(since[0]!)).toBeLessThan(quietMs);
    expect(tx.some((r) => r.text?.startsWith('wakeup'))).toBe(false);
  });

  test('logout, then the no-login probe: woken at once, and it still sees the login prompt', async () => {
    const ev = evidence();
    const ch = await ConsoleChannel.open(simConsoleInterface(sim.endpoints.console.pty!), { evidence: ev.evidence });
    cleanups.push(() => ch.close());
    expect((await ch.login(SIM_ACCOUNT_NAMES.console.admin, ADMIN_PW)).outcome).toBe('shell');
    await ch.logout();
    const t0 = performance.now();
    const probe = await ch.probeWithoutLogin();
    // The look alone used to take a quarter of the 3 s deadline.
    expect(performance.now() - t0).toBeLessThan(700);
    expect(probe).toMatchObject({ shell: false, promptSeen: 'login', after: 'wakeup' });
  });

  test('a login after a failed one and after a fresh open still looks first (only a logout\'s prompt is trusted)', async () => {
    const ev = evidence();
    const ch = await ConsoleChannel.open(simConsoleInterface(sim.endpoints.console.pty!), { evidence: ev.evidence });
    cleanups.push(() => ch.close());
    const r = await ch.login(SIM_ACCOUNT_NAMES.console.admin, ADMIN_PW, { quietMs: 400 });
    expect(r.outcome).toBe('shell');
    // Fresh serial line: nothing is known, so the console was looked at for the quiet time, then woken.
    expect(r.elapsedMs).toBeGreaterThanOrEqual(400);
    expect(ev.records().some((x) => x.dir === 'tx' && x.text?.startsWith('wakeup'))).toBe(true);
  });
});

describe('console: a prompt followed by more output is not trusted', () => {
  /** A console whose logout shows a login prompt and then, a moment later, an automatic login to a root shell. */
  async function autologinConsole(delayMs: number) {
    const peer = await tcpPeer((s) => {
      let state: 'login' | 'password' | 'shell' = 'login';
      s.write('login: ');
      s.on('data', (d) => {
        const line = d.toString('latin1').trim();
        if (state === 'login' && line) return void ((state = 'password'), s.write('\r\nPassword: '));
        if (state === 'password') return void ((state = 'shell'), s.write('\r\ngw# '));
        if (state === 'shell' && line === 'logout') {
          state = 'login';
          s.write('\r\nlogin: ');
          setTimeout(() => {
            if (s.writable) s.write('root (automatic login)\r\ngw# ');
            state = 'shell';
          }, delayMs);
          return;
        }
        if (state === 'shell') s.write('\r\ngw# ');
      });
    });
    cleanups.push(() => peer.close());
    return peer;
  }
  const iface = (connect: string) =>
    ConsoleInterface.parse({
      connect,
      prompts: { login: 'login: ?$', password: 'Password: ?$', shell: 'gw[#>] ?$', adminShell: 'gw# ?$', failure: 'Login incorrect' },
      commands: { status: 'show status' },
      responses: { statusOk: 'heaterSetpoint', rejected: 'Error' },
      timeoutMs: 1500,
    });

  test.each([0, 150])('the shell that appears %d ms after the login prompt is found by the no-login probe', async (delayMs) => {
    const peer = await autologinConsole(delayMs);
    const ev = evidence();
    const ch = await ConsoleChannel.open(iface(peer.url), { evidence: ev.evidence });
    cleanups.push(() => ch.close());
    expect((await ch.login('op', 'pw')).outcome).toBe('shell');
    await ch.logout();
    const probe = await ch.probeWithoutLogin();
    expect(probe.shell, probe.transcript).toBe(true);
  });

  test('output after the prompt clears it: the next login looks again and finds the shell left open', async () => {
    const peer = await autologinConsole(0);
    const ev = evidence();
    const ch = await ConsoleChannel.open(iface(peer.url), { evidence: ev.evidence });
    cleanups.push(() => ch.close());
    expect((await ch.login('op', 'pw')).outcome).toBe('shell');
    await ch.logout();
    await new Promise((r) => setTimeout(r, 100)); // the automatic login has printed its shell prompt
    const r = await ch.login('op', 'pw');
    expect(r).toMatchObject({ outcome: 'shell', alreadyLoggedIn: true });
  });
});
