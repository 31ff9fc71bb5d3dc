/**
 * Worker side of the storm split (storm-workers.ts): runs this thread's share of the connections and
 * hands back the result with its latency samples. A separate module so that the generator and the
 * splitter do not import each other (a cycle through a top-level await deadlocks).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runModbusStormHere, type ModbusStormOptions } from './modbus-storm.js';
import { SHARE_MARK, type WorkerShare } from './storm-workers.js';

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | undefined)?.[SHARE_MARK] === true) {
  const port = parentPort;
  const ac = new AbortController();
  port.on('message', (m) => m === 'abort' && ac.abort());
  const { result, latencies } = await runModbusStormHere({ ...(workerData as ModbusStormOptions), signal: ac.signal });
  port.postMessage({ result, latencies } satisfies WorkerShare, [latencies.buffer as ArrayBuffer]);
  port.close();
}
