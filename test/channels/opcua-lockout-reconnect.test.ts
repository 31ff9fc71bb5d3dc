// Issue 16: the OPC UA login surface shares one secure channel, yet the lockout reconnect check
// still makes every one of its attempts on a NEW secure channel. Proven against a real node-opcua
// server whose failure counter is kept per secure channel (the lockoutCounterPerConnection flaw,
// keyed by the channel the session arrives on) or per account (secure): the flaw is a FAIL of
// lockoutSurvivesReconnect[opcua], the secure server a PASS; failures on the shared channel lock both.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckFinding } from '../../harness/core/finding.js';
import { lockEpisode } from '../../harness/oracles/lockout-episode.js';
import { OpcuaInterface } from '../../harness/profile/target-schema.js';
import { OpcuaAuthSurface } from '../../harness/protocols/opcua/opcua-auth.js';
import { freeLoopbackPort } from '../support/mosquitto-fixture.js';
import { makeEvidence, type TestEvidence } from './helpers.js';

const USER = { username: 'operator', password: 'Op3rator!-lock-test' };
const THRESHOLD = 3;
const LOCK_MS = 1500;

/** Who counts failures how: per secure channel (the flaw) or per account. */
const device = { perChannel: false, failures: new Map<string, number>(), lockedUntil: 0 };

function login(channel: string, username: string, password: string): boolean {
  if (username !== USER.username) return false;
  if (Date.now() < device.lockedUntil) return false; // locked: refused like a bad password (OPC UA has no "locked" status)
  if (password === USER.password) return true;
  const key = device.perChannel ? `${username}|${channel}` : username;
  const n = (device.failures.get(key) ?? 0) + 1;
  device.failures.set(key, n);
  if (n >= THRESHOLD) {
    device.failures.delete(key);
    device.lockedUntil = Date.now() + LOCK_MS;
  }
  return false;
}

describe('OPC UA lockout: the reconnect check opens a secure channel per attempt', () => {
  let server: import('node-opcua').OPCUAServer;
  let pki: string;
  let ev: TestEvidence;
  let endpoint: string;
  beforeAll(async () => {
    const ua = await import('node-opcua');
    pki = await mkdtemp(join(tmpdir(), 'hil-test-opcua-lock-'));
    const port = await freeLoopbackPort();
    server = new ua.OPCUAServer({
      port,
      hostname: '127.0.0.1',
      resourcePath: '/UA/LockTest',
      allowAnonymous: false,
      securityPolicies: [ua.SecurityPolicy.Basic256Sha256],
      securityModes: [ua.MessageSecurityMode.SignAndEncrypt],
      userManager: {
        isValidUser(this: import('node-opcua').ServerSession, username: string, password: string) {
          return login(String(this.channel?.channelId ?? 'none'), username, password);
        },
      },
      serverCertificateManager: new ua.OPCUACertificateManager({ rootFolder: join(pki, 'server'), automaticallyAcceptUnknownCertificate: true }),
      userCertificateManager: new ua.OPCUACertificateManager({ rootFolder: join(pki, 'user'), automaticallyAcceptUnknownCertificate: false }),
    });
    await server.start();
    endpoint = `opc.tcp://127.0.0.1:${port}/UA/LockTest`;
    ev = makeEvidence([USER.password]);
  }, 90_000);
  afterAll(async () => {
    await server?.shutdown(0);
    if (pki) await rm(pki, { recursive: true, force: true });
    ev?.cleanup();
  });

  const connects = () => ev.records().filter((r) => r.protocol === 'opcua' && r.dir === 'tx' && r.text?.startsWith('Connect ')).length;
  const episode = async (perChannel: boolean) => {
    device.perChannel = perChannel;
    device.failures.clear();
    device.lockedUntil = 0;
    const surface = new OpcuaAuthSurface(OpcuaInterface.parse({ endpoint, timeoutMs: 4000 }), { evidence: ev.evidence });
    const signal = AbortSignal.timeout(60_000);
    try {
      // On the surface's shared channel N failures lock either device (one connection).
      const before = connects();
      for (let i = 0; i < THRESHOLD; i++) expect((await surface.attempt(USER.username, 'wrong', signal)).outcome).toBe('refused');
      expect((await surface.attempt(USER.username, USER.password, signal)).outcome, 'locked after N failures on one channel').toBe('refused');
      expect(connects() - before, 'the walk shares one secure channel').toBe(1);
      await new Promise((r) => setTimeout(r, LOCK_MS + 200));
      expect((await surface.attempt(USER.username, USER.password, signal)).outcome).toBe('accepted');

      const atEpisode = connects();
      const j = await lockEpisode(
        { threshold: THRESHOLD, durationMs: LOCK_MS, toleranceMs: 1000, scope: 'account', extendsOnAttempt: true },
        { surface, iface: 'opcua', username: USER.username, good: USER.password, bad: 'wrong', signal, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), log: () => undefined },
      );
      // N failures and the good password, each on a secure channel of its own.
      expect(connects() - atEpisode).toBeGreaterThanOrEqual(THRESHOLD + 1);
      return j.findings.find((f): f is CheckFinding => f.kind === 'check' && f.name === 'lockoutSurvivesReconnect[opcua]');
    } finally {
      await surface.close();
    }
  };

  test('counter per secure channel (the flaw) → lockoutSurvivesReconnect FAIL', { timeout: 90_000 }, async () => {
    const check = await episode(true);
    expect(check, 'the reconnect check was made').toBeDefined();
    expect(check!.passed, String(check!.actual)).toBe(false);
  });

  test('counter per account → lockoutSurvivesReconnect PASS', { timeout: 90_000 }, async () => {
    const check = await episode(false);
    expect(check, 'the reconnect check was made').toBeDefined();
    expect(check!.passed, String(check!.actual)).toBe(true);
  });
});
