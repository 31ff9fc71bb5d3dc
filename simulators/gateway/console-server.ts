// Serves the login shell on the sim end of a socat pty pair and on a raw TCP port (like a
// serial device server), one session per TCP connection and one for the serial line.
import { SerialPort } from 'serialport';
import { ConsoleSession, type ShellDeps } from './console-shell.ts';
import { listen, trackedServer } from './net-listen.ts';
import { newConnectionId } from './lockout-book.ts';

export interface ConsoleServer { tcpPort: number; serialSession?: ConsoleSession; close(): Promise<void> }

export function openSimSerial(path: string, baudRate = 115200): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  port.on('error', () => { /* socat gone or harness side reset; stop() cleans up */ });
  return new Promise((resolve, reject) => port.open((e) => (e ? reject(e) : resolve(port))));
}

export function closeSerial(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}

/** The console shell on the pty (when there is one: socat present) and on a TCP port like a serial device server. */
export async function startConsoleServer(deps: ShellDeps, simSidePty: string | undefined, host: string, tcpPort: number): Promise<ConsoleServer> {
  const serial = simSidePty ? await openSimSerial(simSidePty) : undefined;
  const serialSession = serial ? new ConsoleSession(deps, 'console', (t) => { if (serial.isOpen) serial.write(t, 'latin1'); }) : undefined;
  serial?.on('data', (d: Buffer) => serialSession!.input(d));
  serialSession?.start();

  const sessions = new Set<ConsoleSession>();
  const server = trackedServer((sock) => {
    // The peer's address and this connection: what the lockout counters of a flawed device key on.
    const origin = { source: sock.remoteAddress ?? 'unknown', connection: newConnectionId('console-tcp') };
    const s = new ConsoleSession(deps, 'console-tcp', (t) => { if (sock.writable) sock.write(t, 'latin1'); }, () => sock.end(), origin);
    sessions.add(s);
    sock.on('data', (d) => s.input(d));
    sock.once('close', () => { s.dispose(); sessions.delete(s); });
    s.start();
  });
  let port: number;
  try {
    port = await listen(server, host, tcpPort);
  } catch (e) {
    serialSession?.dispose();
    if (serial) await closeSerial(serial);
    throw e;
  }
  return {
    tcpPort: port,
    serialSession,
    async close() {
      serialSession?.dispose();
      for (const s of sessions) s.dispose();
      await Promise.all([server.destroyAll(), serial ? closeSerial(serial) : undefined]);
    },
  };
}
