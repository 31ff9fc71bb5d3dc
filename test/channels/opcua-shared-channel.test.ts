// Issue 16: the OPC UA login surface keeps one secure channel for its scenario (a session per
// attempt), reopens it when the device dropped it, opens a new one after close() (what the lockout
// reconnect check asks for), and never hangs on a channel that went silent. The "device" drops and
// stalls the channel through a real TCP fault proxy in front of the simulator's OPC UA server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TcpFaultProxy } from '../../harness/faults/tcp-fault-proxy.js';
import { OpcuaInterface } from '../../harness/profile/target-schema.js';
import { OpcuaAuthSurface } from '../../harness/protocols/opcua/opcua-auth.js';
import { DEFAULT_ADMIN_PASSWORD, OPCUA_NODE_IDS, SIM_ACCOUNT_NAMES, startSimulator, type Simulator } from '../../simulators/gateway/index.js';
import { freeLoopbackPort } from '../support/mosquitto-fixture.js';
import { haveBinary, makeEvidence, type TestEvidence } from './helpers.js';

const ADMIN = { username: SIM_ACCOUNT_NAMES.network.admin, password: process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD };
const hasSocat = haveBinary('socat', '-V'); // the simulator needs its ptys

describe.skipIf(!hasSocat)('OPC UA login surface: one secure channel per scenario', () => {
  let sim: Simulator;
  let proxy: TcpFaultProxy;
  let ev: TestEvidence;
  beforeAll(async () => {
    sim = await startSimulator({ profile: 'hardened', opcua: true });
    const port = new URL(sim.endpoints.opcua!.replace(/^opc\.tcp:/, 'tcp:')).port;
    proxy = await TcpFaultProxy.start({ listen: `tcp://127.0.0.1:${await freeLoopbackPort()}`, target: `tcp://127.0.0.1:${port}` });
    ev = makeEvidence([ADMIN.password]);
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await sim?.stop();
    ev?.cleanup();
  });

  const opcua = () => ev.records().filter((r) => r.protocol === 'opcua');
  const connects = () => opcua().filter((r) => r.dir === 'tx' && r.text?.startsWith('Connect ')).length;
  const surface = (timeoutMs = 4000) =>
    new OpcuaAuthSurface(OpcuaInterface.parse({ endpoint: `opc.tcp://127.0.0.1:${proxy.port}/UA/Gateway`, timeoutMs }), { evidence: ev.evidence }, OPCUA_NODE_IDS.heaterSetpoint);
  const signal = () => AbortSignal.timeout(30_000);

  test('attempts share one channel; a channel the device dropped is reopened; close() gives the next attempt a new connection', { timeout: 90_000 }, async () => {
    const s = surface();
    const before = connects();
    try {
      expect((await s.attempt(ADMIN.username, ADMIN.password, signal())).outcome).toBe('accepted');
      expect((await s.attempt(ADMIN.username, 'not-the-password', signal())).outcome).toBe('refused');
      expect((await s.attempt(ADMIN.username, ADMIN.password, signal())).outcome).toBe('accepted');
      expect(connects() - before, 'three attempts, one secure channel').toBe(1);
      // Each attempt was its own session (CreateSession + ActivateSession) on that channel.
      expect(opcua().filter((r) => r.text?.startsWith('CreateSession')).length).toBeGreaterThanOrEqual(3);

      // The device drops the channel between attempts: seen at once (close record, by remote), the next attempt reconnects.
      proxy.setMode('cut');
      await expect.poll(() => opcua().some((r) => r.dir === 'close' && (r.attrs as { by?: string } | undefined)?.by === 'remote'), { timeout: 10_000 }).toBe(true);
      proxy.setMode('pass');
      expect((await s.attempt(ADMIN.username, ADMIN.password, signal())).outcome).toBe('accepted');
      expect(connects() - before).toBe(2);

      // What the lockout reconnect check does before each attempt: close, then a new secure channel per attempt.
      for (let i = 0; i < 2; i++) {
        await s.close();
        expect((await s.attempt(ADMIN.username, 'not-the-password', signal())).outcome).toBe('refused');
      }
      expect(connects() - before).toBe(4);
    } finally {
      await s.close();
      await s.close();
    }
    // Every channel opened was closed again.
    const ids = new Set(opcua().filter((r) => r.text?.startsWith('CreateSession')).map((r) => r.conn));
    const closed = new Set(opcua().filter((r) => r.dir === 'close' && r.text === 'disconnected').map((r) => r.conn));
    for (const id of ids) expect(closed.has(id), `channel ${id} closed`).toBe(true);
  });

  test('a channel gone silent: the attempt ends as error within its bound, the next one reconnects', { timeout: 90_000 }, async () => {
    const timeoutMs = 1500;
    const s = surface(timeoutMs);
    try {
      expect((await s.attempt(ADMIN.username, ADMIN.password, signal())).outcome).toBe('accepted');
      const before = connects();
      proxy.setMode('blackhole');
      const t0 = Date.now();
      const stalled = await s.attempt(ADMIN.username, ADMIN.password, signal());
      expect(stalled.outcome).toBe('error');
      // attemptBoundMs of the protocol module: 3 × timeoutMs (connect, session, proof read).
      expect(Date.now() - t0).toBeLessThan(3 * timeoutMs + 1000);
      proxy.setMode('pass');
      expect((await s.attempt(ADMIN.username, ADMIN.password, signal())).outcome).toBe('accepted');
      expect(connects() - before, 'the stalled channel is not reused').toBe(1);
    } finally {
      await s.close();
    }
  });
});
