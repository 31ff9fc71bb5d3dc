/** What the OPC UA channel's services return, and the status a node-opcua error carries. */
import type { OpcuaInterface } from '../../profile/target-schema.js';
import type { OpOptions } from '../transport/channel.js';

export type SecurityPolicyName = OpcuaInterface['securityPolicy'] | 'Basic128Rsa15' | 'Basic256';
export type SecurityModeName = OpcuaInterface['securityMode'];

export interface OpcuaConnectOptions extends OpOptions {
  /** Override the profile (e.g. 'None'/'None' to test whether the server offers SecurityPolicy None). */
  securityPolicy?: SecurityPolicyName;
  securityMode?: SecurityModeName;
  endpoint?: string;
}

export interface EndpointInfo {
  endpointUrl: string;
  securityPolicy: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt' | 'Invalid';
  userTokenTypes: Array<'Anonymous' | 'UserName' | 'Certificate' | 'IssuedToken'>;
  securityLevel: number;
}

export type OpcuaIdentity = { username: string; password: string } | 'anonymous';

export interface SessionResult {
  ok: boolean;
  /** Status name from the server: 'Good', 'BadUserAccessDenied', 'BadIdentityTokenInvalid', ... */
  status: string;
  statusCode: number;
  /** Anonymous only: the server did not advertise anonymous; we injected the token policy so a real ActivateSession went out. */
  anonymousPolicyInjected?: boolean;
  /** With `injectEndpoint`: the server did not advertise this channel's policy/mode; we added it so a real CreateSession went out. */
  endpointInjected?: boolean;
  message?: string;
}

export interface WriteResult {
  ok: boolean;
  status: string;
  statusCode: number;
}

export interface ReadResult {
  ok: boolean;
  status: string;
  statusCode: number;
  value?: unknown;
  dataType?: string;
}

const STATUS_RE = /\b((?:Good|Bad|Uncertain)[A-Za-z]*)\b\s*\(0x([0-9a-fA-F]+)\)/;

/** Map a node-opcua error to a status name/code when the server sent one. */
export function statusFromError(e: unknown): { status: string; statusCode: number } | undefined {
  const msg = (e as Error)?.message ?? String(e);
  const m = STATUS_RE.exec(msg);
  if (m) return { status: m[1]!, statusCode: parseInt(m[2]!, 16) };
  return undefined;
}
