// Shared helpers for the simulator's own tests: real clients over real sockets and ptys.
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import ModbusRTUDefault from 'modbus-serial';

// modbus-serial's .d.ts says `export default` but the runtime is CJS (see notes/libraries.md §2).
export const ModbusRTU = ModbusRTUDefault as unknown as typeof ModbusRTUDefault.default;
export type ModbusClient = InstanceType<typeof ModbusRTU>;

export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

export async function modbusTcpClient(url: string, timeoutMs = 1000): Promise<ModbusClient> {
  const c = new ModbusRTU();
  const { host, port } = hostPort(url);
  await c.connectTCP(host, { port });
  c.setID(1);
  c.setTimeout(timeoutMs);
  return c;
}

export async function modbusRtuClient(pty: string, baudRate: number, timeoutMs = 1000): Promise<ModbusClient> {
  const c = new ModbusRTU();
  await c.connectRTUBuffered(pty, { baudRate });
  c.setID(1);
  c.setTimeout(timeoutMs);
  return c;
}

export function closeModbus(c: ModbusClient): Promise<void> {
  return new Promise((resolve) => { if (!c.isOpen) return resolve(); c.close(() => resolve()); });
}

/** Accumulates text from a console transport and waits for patterns with a deadline. */
export class TextReader {
  buf = '';
  constructor(private readonly write: (s: string) => void) {}
  feed = (d: Buffer | string) => { this.buf += d.toString(); };
  send(s: string): void { this.write(s); }
  /** Resolves with everything up to and including the first match, and consumes it. */
  async waitFor(re: RegExp, timeoutMs = 3000): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const m = re.exec(this.buf);
      if (m) {
        const end = m.index + m[0].length;
        const out = this.buf.slice(0, end);
        this.buf = this.buf.slice(end);
        return out;
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${re} in ${JSON.stringify(this.buf.slice(-400))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  /** Login helper: waits for the prompts and returns the text after the password. */
  async login(user: string, password: string, expect: RegExp = /\][#$] $/): Promise<string> {
    this.send('\r');
    await this.waitFor(/GW-SIM login: $/);
    this.send(user + '\r');
    await this.waitFor(/Passphrase: $/);
    this.send(password + '\r');
    return this.waitFor(expect);
  }
  async command(cmd: string, prompt: RegExp = /\][#$] $/): Promise<string> {
    this.send(cmd + '\r');
    return this.waitFor(prompt);
  }
}

export async function tcpConsole(url: string): Promise<{ reader: TextReader; sock: Socket; close(): void }> {
  const { host, port } = hostPort(url);
  const sock = connect(port, host);
  await new Promise<void>((resolve, reject) => { sock.once('connect', () => resolve()); sock.once('error', reject); });
  sock.on('error', () => {});
  const reader = new TextReader((s) => sock.write(s));
  sock.on('data', reader.feed);
  return { reader, sock, close: () => sock.destroy() };
}

export async function ptyConsole(path: string): Promise<{ reader: TextReader; port: SerialPort; close(): Promise<void> }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const reader = new TextReader((s) => port.write(s));
  port.on('data', reader.feed);
  port.on('error', () => {});
  return { reader, port, close: () => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())) };
}

/** PIDs of processes whose command line mentions `needle` (e.g. a pty directory). */
export function pgrep(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', needle], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value or the deadline passes; returns the elapsed ms. */
export async function waitUntil(fn: () => unknown | Promise<unknown>, timeoutMs: number, stepMs = 20): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}
