// OPC UA through the real node-opcua client: security policies offered, a real anonymous
// ActivateSession, user tokens from the shared account store, range check and role-based writes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds, DataType, EndpointDescription, MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, UserTokenPolicy, UserTokenType,
  type ClientSession, type UserIdentityInfo,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD, DEFAULT_OPERATOR_PASSWORD, SIM_ACCOUNT_NAMES, OPCUA_NODE_IDS, startSimulator, type Simulator } from '../../simulators/gateway/index.ts';
import { needParts } from '../support/real-parts.ts';
import { sleep } from './sim-test-kit.ts';

const parts = await needParts('socat');
const ADMIN = process.env.HIL_SIM_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
const OPER = process.env.HIL_SIM_OPERATOR_PASSWORD || DEFAULT_OPERATOR_PASSWORD;
const NET = SIM_ACCOUNT_NAMES.network;

describe.skipIf(parts.skip)('OPC UA', () => {
  let hard: Simulator, weak: Simulator, pki: string;
  const clients: OPCUAClient[] = [];
  let n = 0;

  const client = (mode: MessageSecurityMode, policy: SecurityPolicy) => {
    const name = `hil-sim-test-${n++}`; // one PKI folder per applicationName (warning W06 otherwise)
    const c = OPCUAClient.create({
      applicationName: name, endpointMustExist: false, securityMode: mode, securityPolicy: policy,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, name), automaticallyAcceptUnknownCertificate: true }),
    });
    clients.push(c);
    return c;
  };
  const secure = () => client(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256);
  const session = async (url: string, who: UserIdentityInfo, c = secure()): Promise<ClientSession> => {
    await c.connect(url);
    return c.createSession(who);
  };
  const write = (s: ClientSession, nodeId: string, dataType: DataType, value: unknown) =>
    s.write({ nodeId, attributeId: AttributeIds.Value, value: { value: { dataType, value } } });
  const read = async (s: ClientSession, nodeId: string) => (await s.read({ nodeId, attributeId: AttributeIds.Value })).value.value;
  const errorText = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { return String((e as Error).message); } };

  beforeAll(async () => {
    parts.assert();
    pki = await mkdtemp(join(tmpdir(), 'hil-sim-opcua-client-'));
    [hard, weak] = await Promise.all([
      startSimulator({ profile: 'hardened', config: { params: { lockoutDurationMs: 1500 } } }),
      startSimulator({ profile: 'weak' }),
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) await c.disconnect().catch(() => {});
    await Promise.all([hard?.stop(), weak?.stop()]);
    if (pki) await rm(pki, { recursive: true, force: true });
  });

  test('endpoints: hardened offers no None policy and no anonymous token; weak offers both', async () => {
    expect(hard.endpoints.opcua).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+\/UA\/Gateway$/);
    const c = client(MessageSecurityMode.None, SecurityPolicy.None);
    await c.connect(hard.endpoints.opcua!); // discovery is allowed on None
    const eps = await c.getEndpoints();
    expect(eps.length).toBeGreaterThan(0);
    expect(eps.every((e) => e.securityPolicyUri !== SecurityPolicy.None)).toBe(true);
    expect(eps.flatMap((e) => e.userIdentityTokens ?? []).some((t) => t.tokenType === UserTokenType.Anonymous)).toBe(false);
    await c.disconnect();
    const w = client(MessageSecurityMode.None, SecurityPolicy.None);
    const ws = await session(weak.endpoints.opcua!, { type: UserTokenType.Anonymous }, w);
    expect(typeof (await read(ws, OPCUA_NODE_IDS.heartbeat))).toBe('number');
    await ws.close();
  });

  test('hardened refuses a real anonymous ActivateSession; a None channel cannot open a session', async () => {
    const c = secure();
    await c.connect(hard.endpoints.opcua!);
    // Inject an anonymous token policy so the client really sends the request (libraries.md §4).
    for (const ep of (c as unknown as { _serverEndpoints: { userIdentityTokens: UserTokenPolicy[] }[] })._serverEndpoints) {
      ep.userIdentityTokens.push(new UserTokenPolicy({ policyId: 'anonymous', tokenType: UserTokenType.Anonymous }));
    }
    expect(await errorText(c.createSession())).toMatch(/BadIdentityTokenInvalid|BadIdentityTokenRejected|BadUserAccessDenied/);
    // The client refuses None locally when no None endpoint is advertised; inject one so the
    // CreateSession on a None channel really reaches the server and the server must refuse it.
    const none = client(MessageSecurityMode.None, SecurityPolicy.None);
    await none.connect(hard.endpoints.opcua!);
    const eps = (none as unknown as { _serverEndpoints: EndpointDescription[] })._serverEndpoints;
    eps.push(new EndpointDescription({ ...eps[0]!, securityMode: MessageSecurityMode.None, securityPolicyUri: SecurityPolicy.None }));
    expect(await errorText(none.createSession({ type: UserTokenType.UserName, userName: NET.admin, password: ADMIN }))).toMatch(/BadSecurityModeRejected|BadSecurityPolicyRejected/);
  });

  test('hardened: admin writes in range, out of range -> BadOutOfRange (unchanged), operator -> BadUserAccessDenied', async () => {
    const admin = await session(hard.endpoints.opcua!, { type: UserTokenType.UserName, userName: NET.admin, password: ADMIN });
    expect((await write(admin, OPCUA_NODE_IDS.heaterSetpoint, DataType.Double, 62.5)).name).toBe('Good');
    expect(await read(admin, OPCUA_NODE_IDS.heaterSetpoint)).toBe(62.5);
    expect((await write(admin, OPCUA_NODE_IDS.heaterSetpoint, DataType.Double, 120)).name).toBe('BadOutOfRange');
    expect(await read(admin, OPCUA_NODE_IDS.heaterSetpoint)).toBe(62.5);
    expect((await write(admin, OPCUA_NODE_IDS.temperature, DataType.Double, 1)).name).toMatch(/BadNotWritable|BadUserAccessDenied/);
    const op = await session(hard.endpoints.opcua!, { type: UserTokenType.UserName, userName: NET.operator, password: OPER });
    expect((await write(op, OPCUA_NODE_IDS.pumpOn, DataType.Boolean, false)).name).toBe('BadUserAccessDenied');
    expect(await read(op, OPCUA_NODE_IDS.pumpOn)).toBe(hard.model.commanded.pumpOn);
    expect(hard.model.commanded.pumpOn).toBe(true);
    await Promise.all([admin.close(), op.close()]);
  });

  test('hardened: OPC UA logins share the lockout', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await errorText(session(hard.endpoints.opcua!, { type: UserTokenType.UserName, userName: NET.operator, password: 'bad' }))).toMatch(/BadUserAccessDenied|BadIdentityToken/);
    }
    expect(await errorText(session(hard.endpoints.opcua!, { type: UserTokenType.UserName, userName: NET.operator, password: OPER }))).not.toBe('ok');
    await sleep(1600);
    const ok = await session(hard.endpoints.opcua!, { type: UserTokenType.UserName, userName: NET.operator, password: OPER });
    await ok.close();
  });

  test('weak: anonymous over None writes an out-of-range value and the process takes it', async () => {
    const s = await session(weak.endpoints.opcua!, { type: UserTokenType.Anonymous }, client(MessageSecurityMode.None, SecurityPolicy.None));
    expect((await write(s, OPCUA_NODE_IDS.heaterSetpoint, DataType.Double, 150)).name).toBe('Good');
    expect(weak.model.commanded.heaterSetpoint).toBe(150);
    expect(await read(s, OPCUA_NODE_IDS.heaterSetpoint)).toBe(150);
    await s.close();
  });
});
