// OPC UA server (node-opcua, loaded only when asked for: it costs ~1.5 s to import and ~1.5 s
// to initialise) exposing the same points, with the shared account store and role-based writes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountStore } from './account-store.ts';
import { newConnectionId } from './lockout-book.ts';
import type { AlertSink } from './alerts.ts';
import type { ProcessModel } from './process-model.ts';
import type { SimConfig } from './sim-config.ts';
import { checkPointValue, type WritablePoint } from './points.ts';
import { probeFreePort } from './net-listen.ts';

export interface OpcuaGatewayDeps { config: SimConfig; accounts: AccountStore; model: ProcessModel; alerts: AlertSink }
export interface OpcuaGateway { port: number; url: string; close(): Promise<void> }

export const OPCUA_RESOURCE_PATH = '/UA/Gateway';
export const OPCUA_NODE_IDS = {
  heaterSetpoint: 'ns=1;s=Gateway.HeaterSetpoint',
  valvePosition: 'ns=1;s=Gateway.ValvePosition',
  pumpOn: 'ns=1;s=Gateway.PumpOn',
  heaterEnable: 'ns=1;s=Gateway.HeaterEnable',
  temperature: 'ns=1;s=Gateway.Temperature',
  heartbeat: 'ns=1;s=Gateway.Heartbeat',
} as const;

export async function startOpcuaGateway(deps: OpcuaGatewayDeps, host: string, port: number | undefined): Promise<OpcuaGateway> {
  const { config, accounts, model, alerts } = deps;
  const sw = config.switches;
  const ua = await import('node-opcua');
  // node-opcua prints certificate and deprecation chatter at warning level; the simulator must stay quiet.
  ua.setLogLevel(ua.LogLevel.Error);
  const pki = await mkdtemp(join(tmpdir(), 'hil-sim-opcua-'));
  const { SecurityPolicy: SP, MessageSecurityMode: MSM, WellKnownRoles: R, StatusCodes, DataType, Variant } = ua;

  const roles = (user: string) => {
    const role = accounts.role(user, 'opcua');
    if (role === 'admin') return ua.makeRoles([R.AuthenticatedUser, R.ConfigureAdmin]);
    if (role === 'operator') return ua.makeRoles([R.AuthenticatedUser, R.Operator]);
    return ua.makeRoles([R.Anonymous]);
  };

  const makeServer = (p: number) => new ua.OPCUAServer({
    port: p,
    host,
    hostname: host,
    resourcePath: OPCUA_RESOURCE_PATH,
    allowAnonymous: sw.opcuaAnonymous,
    securityPolicies: sw.opcuaSecurityNone ? [SP.None, SP.Basic256Sha256] : [SP.Basic256Sha256],
    securityModes: sw.opcuaSecurityNone ? [MSM.None, MSM.Sign, MSM.SignAndEncrypt] : [MSM.Sign, MSM.SignAndEncrypt],
    userManager: {
      isValidUser(this: { channel?: { channelId?: number | null } | null; channelId?: number | null }, username: string, password: string) {
        // The connection is the secure channel the session was activated on (sessions of one client
        // share it), so lockoutCounterPerConnection resets on reconnect as on a real flawed server.
        // node-opcua does not hand the peer's address to isValidUser, hence one source for all.
        const channelId = this.channel?.channelId ?? this.channelId;
        const connection = channelId != null ? `opcua-channel#${channelId}` : newConnectionId('opcua');
        const r = accounts.authenticate(username, password, 'opcua', { source: 'opcua-client', connection });
        return r.ok && !r.mustChangePassword;
      },
      getUserRoles: roles,
    },
    // Accept any client certificate so the harness can open Sign/SignAndEncrypt channels without provisioning.
    serverCertificateManager: new ua.OPCUACertificateManager({ rootFolder: join(pki, 'server'), automaticallyAcceptUnknownCertificate: true }),
    userCertificateManager: new ua.OPCUACertificateManager({ rootFolder: join(pki, 'user'), automaticallyAcceptUnknownCertificate: false }),
    buildInfo: { productName: 'GW-SIM', manufacturerName: 'iot-gw-hil', softwareVersion: '0.1.0' },
  });

  // Binding happens in start(); with 'auto' ports another process may win the race, so retry whole.
  const build = async (p: number) => {
    const server = makeServer(p);
    try {
      await server.initialize();
      const addressSpace = server.engine.addressSpace!;
      const ns = addressSpace.getOwnNamespace();
      const gw = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Gateway' });
      const P = ua.PermissionFlag;
      const read = P.Browse | P.Read | P.ReadRolePermissions;
      // The anonymous role is every session's baseline, so write access for 'everyone' goes there.
      const rolePermissions = sw.privilegeSeparation
        ? [{ roleId: R.Anonymous, permissions: read }, { roleId: R.AuthenticatedUser, permissions: read }, { roleId: R.ConfigureAdmin, permissions: read | P.Write }]
        : [{ roleId: R.Anonymous, permissions: read | P.Write }];

      const writable = (point: WritablePoint, name: string, dataType: 'Double' | 'Boolean') => {
        ns.addVariable({
          componentOf: gw, browseName: name, nodeId: `s=Gateway.${name}`, dataType,
          minimumSamplingInterval: 100,
          accessLevel: ua.makeAccessLevelFlag('CurrentRead | CurrentWrite'),
          userAccessLevel: ua.makeAccessLevelFlag('CurrentRead | CurrentWrite'),
          rolePermissions: rolePermissions.map((r) => ({ roleId: ua.resolveNodeId(r.roleId), permissions: r.permissions })),
          value: {
            get: () => new Variant({ dataType: dataType === 'Double' ? DataType.Double : DataType.Boolean, value: model.commanded[point] }),
            set: (v: InstanceType<typeof Variant>) => {
              const r = checkPointValue(point, v.value, sw.rangeCheck.opcua);
              if (!r.ok) {
                alerts.raise({ event: 'command-rejected', surface: 'opcua', point, value: v.value, reason: r.reason });
                return r.reason === 'out-of-range' ? StatusCodes.BadOutOfRange : StatusCodes.BadTypeMismatch;
              }
              model.write(point, r.value);
              model.masterTraffic('opcua');
              return StatusCodes.Good;
            },
          },
        });
      };
      writable('heaterSetpoint', 'HeaterSetpoint', 'Double');
      writable('valvePosition', 'ValvePosition', 'Double');
      writable('pumpOn', 'PumpOn', 'Boolean');
      writable('heaterEnable', 'HeaterEnable', 'Boolean');
      const readOnly = (name: string, dataType: 'Double' | 'UInt32', get: () => number) => ns.addVariable({
        componentOf: gw, browseName: name, nodeId: `s=Gateway.${name}`, dataType, minimumSamplingInterval: 100,
        accessLevel: ua.makeAccessLevelFlag('CurrentRead'), userAccessLevel: ua.makeAccessLevelFlag('CurrentRead'),
        value: { get: () => new Variant({ dataType: dataType === 'Double' ? DataType.Double : DataType.UInt32, value: get() }) },
      });
      readOnly('Temperature', 'Double', () => model.temperature);
      readOnly('Heartbeat', 'UInt32', () => model.heartbeat);
      await server.start();
      return server;
    } catch (e) {
      await server.shutdown(0).catch(() => {});
      throw e;
    }
  };
  let server!: InstanceType<typeof ua.OPCUAServer>;
  let bound = 0;
  for (let attempt = 0; ; attempt++) {
    bound = port ?? (await probeFreePort(host));
    try {
      server = await build(bound);
      break;
    } catch (e) {
      if (port !== undefined || attempt >= 3) { await rm(pki, { recursive: true, force: true }); throw e; }
    }
  }
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: `opc.tcp://${host}:${bound}${OPCUA_RESOURCE_PATH}`,
    close: () => (closing ??= (async () => {
      await server.shutdown(0).catch(() => {});
      await rm(pki, { recursive: true, force: true }).catch(() => {});
    })()),
  };
}
