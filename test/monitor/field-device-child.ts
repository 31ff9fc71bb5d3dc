// A device in its own process for the sampler-thread tests: the simulator's process model (heartbeat
// every 100 ms) behind its field-monitor Modbus TCP server. Prints {"port":N} when listening;
// IPC {hang: ms} freezes the process model (a real device stall: the heartbeat stops, the field
// monitor still answers).
import { startFieldMonitor } from '../../simulators/gateway/field-monitor.js';
import { ProcessModel } from '../../simulators/gateway/process-model.js';

const model = new ProcessModel({
  params: { watchdogMs: 600_000, heartbeatPeriodMs: 100, temperatureTimeConstantMs: 5000, ambientTemperature: 20 },
  safeValues: { heaterEnable: false, heaterSetpoint: 0, valvePosition: 0, pumpOn: false },
  safeStateOnCommLoss: 'safe',
});
model.start();
const field = await startFieldMonitor(model, '127.0.0.1', undefined);
process.on('message', (m: { hang?: number }) => {
  if (m.hang) model.hang(m.hang);
  process.send?.({ ok: true });
});
const stop = async () => { model.stop(); await field.close(); process.exit(0); };
process.once('SIGTERM', stop);
process.once('disconnect', stop);
process.stdout.write(JSON.stringify({ port: field.port }) + '\n');
