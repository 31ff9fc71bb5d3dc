/** The endpoint shape printed by `hil sim` (see simulators/gateway). */
export interface SimEndpointsLike {
  host: string;
  console: { pty?: string; tcp: string };
  modbusTcp: string;
  modbusRtu?: { pty?: string };
  mqtt: string;
  opcua?: string;
  fieldMonitor: string;
}

/**
 * Environment that points a simulator target profile (targets/sim-*.yaml) at a running simulator:
 * the profiles read their addresses from these variables, with the fixed default ports as fallback.
 */
export function simTargetEnv(ep: SimEndpointsLike, tcpRange: string): Record<string, string> {
  const env: Record<string, string> = {
    HIL_SIM_CONSOLE: ep.console.pty ?? ep.console.tcp,
    HIL_SIM_MODBUS_TCP: ep.modbusTcp,
    HIL_SIM_MQTT: ep.mqtt,
    HIL_SIM_MONITOR: ep.fieldMonitor,
    HIL_SIM_HOST: ep.host,
    HIL_SIM_TCP_RANGE: tcpRange,
  };
  const port = (url: string) => String(new URL(url.replace(/^opc\.tcp:/, 'tcp:')).port);
  env.HIL_SIM_PORT_CONSOLE = port(ep.console.tcp);
  env.HIL_SIM_PORT_MODBUS = port(ep.modbusTcp);
  env.HIL_SIM_PORT_MQTT = port(ep.mqtt);
  if (ep.opcua) env.HIL_SIM_PORT_OPCUA = port(ep.opcua);
  if (ep.modbusRtu?.pty) env.HIL_SIM_MODBUS_RTU = ep.modbusRtu.pty;
  env.HIL_SIM_RTU_ENABLED = ep.modbusRtu?.pty ? 'true' : 'false';
  if (ep.opcua) env.HIL_SIM_OPCUA = ep.opcua;
  env.HIL_SIM_OPCUA_ENABLED = ep.opcua ? 'true' : 'false';
  return env;
}
