/**
 * How a scenario worker stops and starts the demo's upstream broker. Lab actions under `hil run`
 * must be commands (a hook lives only in the process that registered it), and the broker lives in
 * the demo process: so the demo serves a small HTTP endpoint on loopback, and the profile's
 * stop/start commands are one-line node programs that call it and exit 0 only when the broker
 * has actually stopped or started.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { UpstreamBroker } from './upstream-broker.js';

export interface BrokerControl {
  /** Shell commands for faults.upstream.control.stop / .start. */
  stopCommand: string;
  startCommand: string;
  close(): Promise<void>;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function serveBrokerControl(broker: UpstreamBroker): Promise<BrokerControl> {
  // A path nobody guesses by accident; not a secret (loopback only, and it controls a throw-away broker).
  const path = `/${randomBytes(8).toString('hex')}`;
  const server: Server = createServer((req, res) => {
    const action = req.url === `${path}/stop` ? broker.stop : req.url === `${path}/start` ? broker.start : undefined;
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    action.call(broker).then(
      () => res.writeHead(200).end('ok\n'),
      (e: Error) => res.writeHead(500).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}${path}`;
  const command = (what: 'stop' | 'start') =>
    `${shellQuote(process.execPath)} -e ${shellQuote(`fetch('${base}/${what}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`)}`;
  return {
    stopCommand: command('stop'),
    startCommand: command('start'),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
