// MQTT topic names of one gateway (fixed contract).
export interface GatewayTopics { telemetry: string; cmd: string; status: string; alert: string }
export function gatewayTopics(deviceId: string): GatewayTopics {
  const base = `gw/${deviceId}`;
  return { telemetry: `${base}/telemetry`, cmd: `${base}/cmd`, status: `${base}/status`, alert: `${base}/alert` };
}
