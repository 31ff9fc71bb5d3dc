// The hostile profile: servers that misbehave on purpose (malformed frames, stalls mid-response,
// resets, noise floods) so the harness can be shown never to crash or hang. Misbehaviour is
// drawn from a seeded PRNG, so a failing run can be replayed with the same seed.
import type { Socket } from 'node:net';
import type { SerialPort } from 'serialport';
import { listen, trackedServer } from './net-listen.ts';

/** mulberry32: tiny, seedable, good enough to pick misbehaviours. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ANSI_JUNK = ['\x1b[2J', '\x1b[H', '\x1b[31;1m', '\x1b[?25l', '\x1b[6n', '\x1b]0;\x07', '\x1b[999;999H', '\x1bc', 'gatew', 'Passw', 'gw#', '\x00\x00'];

/** A burst of binary noise laced with ANSI escapes and torn prompt fragments (never a whole prompt). */
export function noiseBurst(rand: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.4) parts.push(Buffer.from(ANSI_JUNK[Math.floor(rand() * ANSI_JUNK.length)]!, 'latin1'));
    const len = 8 + Math.floor(rand() * 120);
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) b[j] = Math.floor(rand() * 256);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

type Sink = { write(b: Buffer, done: () => void): void; alive(): boolean };

/** Floods a sink with noise, pausing (stalling) now and then; respects back-pressure via `done`. */
function floodLoop(sink: Sink, rand: () => number, timers: Set<NodeJS.Timeout>): void {
  const next = (delay: number) => {
    const t = setTimeout(() => { timers.delete(t); step(); }, delay);
    timers.add(t);
  };
  const step = () => {
    if (!sink.alive()) return;
    sink.write(noiseBurst(rand), () => next(rand() < 0.1 ? 500 + Math.floor(rand() * 1500) : 20 + Math.floor(rand() * 60)));
  };
  step();
}

export interface HostileServer { port: number; close(): Promise<void> }

async function hostileTcp(host: string, port: number, onConn: (sock: Socket) => void, cleanup: () => void = () => {}): Promise<HostileServer> {
  const server = trackedServer(onConn);
  const bound = await listen(server, host, port);
  return { port: bound, close: async () => { cleanup(); await server.destroyAll(); } };
}

function socketSink(sock: Socket): Sink {
  return {
    alive: () => !sock.destroyed && sock.writable,
    write: (b, done) => { if (sock.write(b)) done(); else sock.once('drain', done); },
  };
}

export async function hostileConsoleTcp(host: string, port: number, seed: number): Promise<HostileServer> {
  const rand = seededRandom(seed);
  const timers = new Set<NodeJS.Timeout>();
  return hostileTcp(host, port, (sock) => floodLoop(socketSink(sock), rand, timers), () => { for (const t of timers) clearTimeout(t); });
}

/** Noise on the serial console (sim end of the pty). */
export function hostileSerialFlood(port: SerialPort, seed: number): () => void {
  const rand = seededRandom(seed);
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  floodLoop({ alive: () => !stopped && port.isOpen, write: (b, done) => port.write(b, () => done()) }, rand, timers);
  return () => { stopped = true; for (const t of timers) clearTimeout(t); };
}

/** Garbage answers to anything arriving on the RTU line. */
export function hostileSerialGarbage(port: SerialPort, seed: number): void {
  const rand = seededRandom(seed);
  port.on('data', () => {
    if (!port.isOpen) return;
    const b = Buffer.alloc(3 + Math.floor(rand() * 40));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    port.write(b);
  });
}

export const MODBUS_MISBEHAVIOURS = ['bad-length', 'wrong-tid', 'stall-mid-response', 'reset', 'silence', 'garbage'] as const;
export type ModbusMisbehaviour = (typeof MODBUS_MISBEHAVIOURS)[number];

/** Answers every Modbus TCP request with one misbehaviour drawn from the seeded PRNG. */
export async function hostileModbusTcp(host: string, port: number, seed: number, log?: (m: ModbusMisbehaviour) => void): Promise<HostileServer> {
  const rand = seededRandom(seed);
  return hostileTcp(host, port, (sock) => {
    sock.on('data', (req) => {
      if (req.length < 8) return;
      const tid = req.readUInt16BE(0);
      const m = MODBUS_MISBEHAVIOURS[Math.floor(rand() * MODBUS_MISBEHAVIOURS.length)]!;
      log?.(m);
      // A plausible FC03 answer with two registers, mangled per misbehaviour.
      const good = Buffer.from([tid >> 8, tid & 0xff, 0, 0, 0, 7, req[6]!, req[7]!, 4, 0x01, 0xc2, 0x00, 0x1e]);
      switch (m) {
        case 'bad-length': good.writeUInt16BE(250, 4); sock.write(good); break;
        case 'wrong-tid': good.writeUInt16BE((tid + 1 + Math.floor(rand() * 1000)) & 0xffff, 0); sock.write(good); break;
        case 'stall-mid-response': sock.write(good.subarray(0, 5)); break; // the rest never comes
        case 'reset': sock.resetAndDestroy(); break;
        case 'silence': break;
        case 'garbage': { const g = Buffer.alloc(1 + Math.floor(rand() * 300)); for (let i = 0; i < g.length; i++) g[i] = Math.floor(rand() * 256); sock.write(g); break; }
      }
    });
  });
}

/** MQTT: accepts, then either closes at once, answers CONNECT with a malformed CONNACK, or stalls. */
export async function hostileMqtt(host: string, port: number, seed: number): Promise<HostileServer> {
  const rand = seededRandom(seed);
  return hostileTcp(host, port, (sock) => {
    const r = rand();
    if (r < 0.3) { sock.destroy(); return; }
    sock.once('data', () => {
      if (r < 0.65) sock.write(Buffer.from([0x20, 0x7f, 0x00, 0x00, 0xff])); // length 127, then nothing
      else if (r < 0.85) sock.write(Buffer.from([0x20, 0x02, 0x00, 0x2a])); // return code 42 does not exist
      // else: stall forever
    });
  });
}

/** A TCP server that accepts and never says a word (OPC UA, field monitor). */
export async function hostileSilent(host: string, port: number): Promise<HostileServer> {
  return hostileTcp(host, port, (sock) => { sock.on('data', () => { /* swallow */ }); });
}
