import type { OpcuaInterface } from '../../profile/target-schema.js';
import { interfaceConfig, type ProtocolModule } from '../protocol.js';
import { opcuaDecoder } from './opcua-decoder.js';
import { opcuaIdentify } from './opcua-identify.js';
import { firstOpcuaPoint, OpcuaAuthSurface, opcuaProofNode } from './opcua-auth.js';
import { OpcuaPointAccess } from './opcua-point-access.js';
import { opcuaPrivilege } from './opcua-privilege.js';
import { opcuaSecurityNone } from './opcua-security-none.js';

const cfg = (t: { interfaces: { opcua?: OpcuaInterface } }): OpcuaInterface => interfaceConfig(t, 'opcua');

/** OPC UA binary (opc.tcp) with the profile's security policy and mode. */
const opcuaProtocol: ProtocolModule = {
  name: 'opcua',
  identify: opcuaIdentify,
  decoder: opcuaDecoder,
  interfaces: (t) => (t.interfaces.opcua ? ['opcua'] : []),
  login: {
    surface: (t, _iface, ctx) => new OpcuaAuthSurface(cfg(t), ctx, opcuaProofNode(t), firstOpcuaPoint(t)),
    // Secure channel, CreateSession + ActivateSession, the proof read.
    attemptBoundMs: (t) => 3 * cfg(t).timeoutMs,
    controlRole: 'admin',
    anonymousBoundMs: (t) => 6 * cfg(t).timeoutMs,
  },
  points: {
    path: () => 'opcua',
    reactionKey: 'opcua',
    needsAccount: true,
    timeoutMs: (t) => cfg(t).timeoutMs,
    open: (t, _iface, account, ctx) => {
      if (!account) throw new Error('the profile declares no admin account (credentials.admin), which OPC UA writes need');
      return OpcuaPointAccess.open(cfg(t), account, ctx);
    },
  },
  privilege: {
    maps: (p) => p.opcua !== undefined,
    noPoint: 'no writable numeric point with an OPC UA node is declared',
    probe: (t, iface, accounts, plan, run, out) => opcuaPrivilege(cfg(t), iface, accounts, plan, run, out),
    // Two channels and sessions, three writes, read-backs.
    boundMs: (t) => 10 * cfg(t).timeoutMs,
  },
  secureChannel: {
    probe: (t, iface, account, run, out) => opcuaSecurityNone(t, cfg(t), iface, account, run, out),
    // GetEndpoints on a secured channel, then a None channel with up to two session attempts.
    boundMs: (t) => 7 * cfg(t).timeoutMs,
  },
};
export default opcuaProtocol;
