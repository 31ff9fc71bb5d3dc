/** Opens the point access for one interface of a target, as its admin account where there are accounts. */
import type { ChannelContext } from './transport/channel.js';
import type { ResolvedSecrets } from '../profile/secrets.js';
import type { InterfaceName, TargetProfile } from '../profile/target-schema.js';
import { ConsolePointAccess } from './console/console-point-access.js';
import { ModbusPointAccess } from './modbus/modbus-point-access.js';
import { MqttPointAccess } from './mqtt/mqtt-point-access.js';
import { OpcuaPointAccess } from './opcua/opcua-point-access.js';
import type { AccessPath, PointAccess } from './capabilities/point-access.js';

export type WritableInterface = Extract<InterfaceName, 'modbus-tcp' | 'modbus-rtu' | 'mqtt' | 'opcua' | 'console'>;

export const ACCESS_PATH: Record<WritableInterface, AccessPath> = {
  'modbus-tcp': 'modbus-tcp',
  'modbus-rtu': 'modbus-rtu',
  mqtt: 'mqtt',
  opcua: 'opcua',
  console: 'console',
};

/** Which `reaction` key of a point governs this path. */
export function reactionKey(path: AccessPath): 'modbus' | 'mqtt' | 'opcua' | 'console' {
  return path === 'modbus-tcp' || path === 'modbus-rtu' ? 'modbus' : path;
}

export async function openPointAccess(iface: WritableInterface, target: TargetProfile, secrets: ResolvedSecrets, ctx: ChannelContext): Promise<PointAccess> {
  const i = target.interfaces;
  const admin = () => {
    if (!secrets.admin) throw new Error('the profile declares no admin account (credentials.admin), which writes need');
    return secrets.admin;
  };
  switch (iface) {
    case 'modbus-tcp':
    case 'modbus-rtu':
      return ModbusPointAccess.open(i.modbus!, iface === 'modbus-tcp' ? 'tcp' : 'rtu', target.policy.points, ctx);
    case 'mqtt':
      return MqttPointAccess.open(i.mqtt!, admin(), ctx);
    case 'opcua':
      return OpcuaPointAccess.open(i.opcua!, admin(), ctx);
    case 'console':
      return ConsolePointAccess.open(i.console!, admin(), ctx);
  }
}
