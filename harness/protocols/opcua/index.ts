import type { OpcuaInterface } from '../../profile/target-schema.js';
import type { ProtocolModule } from '../protocol.js';
import { firstOpcuaPoint, OpcuaAuthSurface, opcuaProofNode } from './opcua-auth.js';
import { OpcuaPointAccess } from './opcua-point-access.js';

const cfg = (t: { interfaces: { opcua?: OpcuaInterface } }): OpcuaInterface => {
  if (!t.interfaces.opcua) throw new Error('the target has no opcua interface');
  return t.interfaces.opcua;
};

/** OPC UA binary (opc.tcp) with the profile's security policy and mode. */
const opcuaProtocol: ProtocolModule = {
  name: 'opcua',
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
};
export default opcuaProtocol;
