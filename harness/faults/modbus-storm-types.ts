/** Options and result of the Modbus storm (modbus-storm.ts), shared with its worker split. */

export interface ModbusStormOptions {
  /** tcp://host:port */
  url: string;
  unitId: number;
  ratePerSec: number;
  durationMs: number;
  connections?: number;
  /** Request PDU (default FC03 read of one holding register at `address`). */
  pdu?: Buffer;
  address?: number;
  maxInFlight?: number;
  /** How long to wait for outstanding answers after the last send (default 500 ms). */
  drainMs?: number;
  /** Worker threads (default: one, or one per core when more than 1024 requests are in flight). */
  workers?: number;
  signal?: AbortSignal;
}

export interface ModbusStormResult {
  requestedRate: number;
  connections: number;
  /** Connections that could be opened. */
  connected: number;
  sent: number;
  verifiedResponses: number;
  exceptions: number;
  malformed: number;
  /** Requests still unanswered when the step ended. */
  unanswered: number;
  /** Sends skipped because every connection had maxInFlight outstanding requests. */
  throttled: number;
  elapsedMs: number;
  achievedRate: number;
  verifiedRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  errors: string[];
}
