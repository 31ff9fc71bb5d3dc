import { once } from 'node:events';
import { ServerSerial, ServerTCP } from 'modbus-serial';
import { SerialPort } from 'serialport';
import { describe, expect, test } from 'vitest';
import { ModbusChannel } from '../../harness/protocols/modbus/modbus-channel.js';
import { crc16, mbapFrame, rtuFrame, writeRegisterPdu } from '../../harness/protocols/modbus/modbus-codec.js';
import { closedPort, haveBinary, ptyPair, tcpPeer, useTestCleanups } from './helpers.js';

const hasSocat = haveBinary('socat', '-V');

const { cleanups, evidence } = useTestCleanups();

const mbErr = (code: number, msg: string) => Object.assign(new Error(msg), { modbusErrorCode: code });

/** A register map like the gateway's: HR0 setpoint x10 0..800, HR1 valve 0..100; coils 0..7. */
function vector() {
  const regs = new Uint16Array(16);
  const coils = new Array<boolean>(16).fill(false);
  regs[0] = 900;
  const check = (addr: number, v: number) => {
    if (addr >= regs.length) throw mbErr(0x02, 'addr');
    if ((addr === 0 && v > 800) || (addr === 1 && v > 100)) throw mbErr(0x03, 'range');
  };
  return {
    regs,
    v: {
      getHoldingRegister: (addr: number) => {
        if (addr >= regs.length) throw mbErr(0x02, 'addr');
        return regs[addr]!;
      },
      getInputRegister: (addr: number) => addr * 10,
      getCoil: (addr: number) => coils[addr] ?? false,
      setRegister: (addr: number, value: number) => {
        check(addr, value);
        regs[addr] = value;
      },
      setRegisterArray: (addr: number, values: number[]) => {
        values.forEach((v, i) => check(addr + i, v));
        values.forEach((v, i) => (regs[addr + i] = v));
      },
      setCoil: (addr: number, v: boolean) => {
        coils[addr] = v;
      },
    },
  };
}

async function modbusServer() {
  const { v, regs } = vector();
  const port = await closedPort();
  const server = new ServerTCP(v, { host: '127.0.0.1', port, unitID: 1 });
  server.on('socketError', () => undefined);
  await once(server, 'initialized');
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `tcp://127.0.0.1:${port}`, regs };
}

describe('Modbus TCP against modbus-serial ServerTCP', () => {
  test('reads, FC06/FC16/FC05 writes, exception 03 surfaced as data, bytes and summaries in evidence', async () => {
    const ev = evidence();
    const { url, regs } = await modbusServer();
    const mb = await ModbusChannel.openTcp(url, 1, { evidence: ev.evidence }, { requestTimeoutMs: 500 });
    cleanups.push(() => mb.close());
    expect(await mb.writeRegister(0, 750)).toMatchObject({ ok: true, data: { address: 0, value: 750 } });
    expect(await mb.readHolding(0, 2)).toMatchObject({ ok: true, data: [750, 0] });
    const rej = await mb.writeRegister(0, 900);
    expect(rej).toMatchObject({ ok: false, kind: 'exception', exception: 3, exceptionName: 'ILLEGAL DATA VALUE' });
    expect(regs[0]).toBe(750);
    expect(await mb.writeRegisters(0, [100, 50])).toMatchObject({ ok: true, data: { address: 0, count: 2 } });
    expect(await mb.writeRegisters(0, [100, 500])).toMatchObject({ ok: false, exception: 3 });
    expect(await mb.readInput(2, 3)).toMatchObject({ ok: true, data: [20, 30, 40] });
    expect(await mb.writeCoil(3, true)).toMatchObject({ ok: true, data: { address: 3, value: true } });
    expect(await mb.readCoils(0, 5)).toMatchObject({ ok: true, data: [false, false, false, true, false] });
    expect(await mb.readHolding(100, 1)).toMatchObject({ ok: false, exception: 2 });
    // Unknown unit: modbus-serial stays silent -> timeout, and the connection stays usable.
    mb.unitId = 9;
    expect(await mb.readHolding(0, 1, { timeoutMs: 200 })).toMatchObject({ ok: false, kind: 'timeout' });
    mb.unitId = 1;
    expect(await mb.readHolding(0, 1)).toMatchObject({ ok: true, data: [100] });
    await mb.close();
    const recs = ev.records();
    const tx = recs.find((r) => r.dir === 'tx' && r.text?.startsWith('FC06 write HR0=750'));
    expect(tx?.data).toMatch(/^[0-9a-f]{4}000000060106000002ee$/);
    expect(tx?.endpoints?.proto).toBe('tcp');
    expect(tx?.protocol).toBe('modbus');
    expect(recs.some((r) => r.dir === 'rx' && r.text === 'exception 03 ILLEGAL DATA VALUE (FC06)')).toBe(true);
    expect(recs.some((r) => r.dir === 'rx' && r.text === 'FC03 HR0..1 = [750,0]')).toBe(true);
  });
});

/** A raw Modbus TCP peer: `reply(requestAdu)` returns what to send back (or nothing / 'close'). */
async function rawPeer(reply: (req: Buffer, sock: import('node:net').Socket) => Buffer | 'close' | 'stall' | void) {
  const peer = await tcpPeer((s) => {
    s.on('data', (req) => {
      const r = reply(req, s);
      if (r === 'close') s.destroy();
      else if (r instanceof Buffer) s.write(r);
    });
  });
  cleanups.push(() => peer.close());
  return peer;
}

describe('Modbus TCP failure paths against misbehaving peers', () => {
  test('device closing mid-frame: kind closed, partial bytes logged', async () => {
    const ev = evidence();
    const peer = await rawPeer((req, s) => {
      s.write(Buffer.concat([req.subarray(0, 2), Buffer.from('000000070103', 'hex')])); // header says 7 bytes follow, 2 sent
      setTimeout(() => s.destroy(), 20);
    });
    const mb = await ModbusChannel.openTcp(peer.url, 1, { evidence: ev.evidence });
    cleanups.push(() => mb.close());
    const r = await mb.readHolding(0, 2);
    expect(r).toMatchObject({ ok: false, kind: 'closed' });
    expect(r.ok === false && r.message).toMatch(/mid-frame after 8 bytes/);
    expect(await mb.readHolding(0, 1)).toMatchObject({ ok: false, kind: 'closed' });
    expect(ev.records().some((x) => x.dir === 'rx' && x.text?.startsWith('incomplete frame (8 bytes)'))).toBe(true);
  });

  test('stalled device: kind timeout after the request deadline', async () => {
    const peer = await rawPeer(() => 'stall');
    const mb = await ModbusChannel.openTcp(peer.url, 1, { evidence: evidence().evidence }, { requestTimeoutMs: 150 });
    cleanups.push(() => mb.close());
    const t0 = Date.now();
    expect(await mb.writeRegister(0, 1)).toMatchObject({ ok: false, kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  test('garbage answer (HTTP text) is kind garbage with a clear message', async () => {
    const peer = await rawPeer(() => Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const mb = await ModbusChannel.openTcp(peer.url, 1, { evidence: evidence().evidence });
    cleanups.push(() => mb.close());
    const r = await mb.readHolding(0, 1);
    expect(r).toMatchObject({ ok: false, kind: 'garbage' });
    expect(r.ok === false && r.message).toMatch(/bad MBAP header/);
  });

  test('a well-framed answer that does not fit the request is garbage; a late frame is skipped', async () => {
    let n = 0;
    const peer = await rawPeer((req) => {
      n++;
      const tid = req.readUInt16BE(0);
      if (n === 1) return mbapFrame(tid, 1, Buffer.from('0304', 'hex')); // byte count 4, no data
      // stale frame (old tid) first, then the right one
      return Buffer.concat([mbapFrame(tid - 1, 1, Buffer.from('03020001', 'hex')), mbapFrame(tid, 1, Buffer.from('0302002a', 'hex'))]);
    });
    const mb = await ModbusChannel.openTcp(peer.url, 1, { evidence: evidence().evidence });
    cleanups.push(() => mb.close());
    expect(await mb.readHolding(0, 1)).toMatchObject({ ok: false, kind: 'garbage' });
    expect(await mb.readHolding(0, 1)).toMatchObject({ ok: true, data: [42] });
  });

  test('sendRaw sends malformed bytes exactly and returns what came back', async () => {
    const ev = evidence();
    const peer = await rawPeer((req) => (req.length < 8 ? 'close' : undefined));
    const mb = await ModbusChannel.openTcp(peer.url, 1, { evidence: ev.evidence });
    cleanups.push(() => mb.close());
    const r = await mb.sendRaw(Buffer.from('0001000000ff01', 'hex'), { waitMs: 500 });
    expect(r.closed).toBe(true);
    expect(ev.records().find((x) => x.dir === 'tx')?.data).toBe('0001000000ff01');
  });

  test('sendRaw with endOnFrame: a whole reply ends the wait; a half reply and silence are waited out', async () => {
    const ev = evidence();
    // Exception reply (illegal function) in two pieces, the second 50 ms later: the wait must not end on the first.
    const peer = await rawPeer((req, s) => {
      const reply = Buffer.concat([req.subarray(0, 4), Buffer.from('000301ff01', 'hex')]);
      if (req[7] === 0x2a) return; // silent for FC 0x2a
      s.write(reply.subarray(0, 6));
      setTimeout(() => s.write(reply.subarray(6)), 50);
    });
    const mb = await ModbusChannel.openTcp(peer.url, 1, { evidence: ev.evidence });
    cleanups.push(() => mb.close());
    const window = 5_000;
    let t0 = performance.now();
    const answered = await mb.sendRaw(Buffer.from('000100000002017f', 'hex'), { waitMs: window, endOnFrame: true });
    expect(answered.rx.toString('hex')).toBe('0001000000030' + '1ff01');
    expect(performance.now() - t0).toBeLessThan(window);
    t0 = performance.now();
    const silent = await mb.sendRaw(Buffer.from('000200000002012a', 'hex'), { waitMs: 600, endOnFrame: true });
    expect(silent.rx.length).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(590);
  });

  test('connection refused throws ChannelError refused', async () => {
    const port = await closedPort();
    await expect(ModbusChannel.openTcp(`tcp://127.0.0.1:${port}`, 1, { evidence: evidence().evidence })).rejects.toMatchObject({ kind: 'refused' });
  });
});

describe.skipIf(!hasSocat)('Modbus RTU over a socat pty', () => {
  const rtu = (device: string) => ({ device, baudRate: 19200, parity: 'none' as const, stopBits: 1 as const, dataBits: 8 as const });

  test('against modbus-serial ServerSerial: read, write, exception, wrong unit times out', async () => {
    const pty = await ptyPair();
    cleanups.push(() => pty.close());
    const { v } = vector();
    const server = new ServerSerial(v, { path: pty.a, baudRate: 19200, unitID: 5, interval: 10 } as ConstructorParameters<typeof ServerSerial>[1]);
    server.on('error', () => undefined);
    await once(server, 'initialized');
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const ev = evidence();
    const mb = await ModbusChannel.openRtu(rtu(pty.b), 5, { evidence: ev.evidence }, { requestTimeoutMs: 500 });
    cleanups.push(() => mb.close());
    expect(await mb.writeRegister(1, 42)).toMatchObject({ ok: true });
    expect(await mb.readHolding(0, 2)).toMatchObject({ ok: true, data: [900, 42] });
    expect(await mb.writeRegister(1, 101)).toMatchObject({ ok: false, kind: 'exception', exception: 3 });
    mb.unitId = 6;
    expect(await mb.readHolding(0, 1, { timeoutMs: 150 })).toMatchObject({ ok: false, kind: 'timeout' });
    await mb.close();
    const tx = ev.records().find((r) => r.dir === 'tx' && r.text?.startsWith('FC06 write HR1=42'));
    expect(tx?.data).toBe(rtuFrame(5, writeRegisterPdu(1, 42)).toString('hex'));
    expect(tx?.data?.startsWith('05060001002a')).toBe(true);
    expect(tx?.endpoints).toEqual({ proto: 'serial', local: 'harness', remote: pty.b });
  });

  test('bad CRC is garbage; a device that stops mid-frame is a timeout', async () => {
    const pty = await ptyPair();
    cleanups.push(() => pty.close());
    const dev = new SerialPort({ path: pty.a, baudRate: 19200, autoOpen: false });
    await new Promise<void>((r, j) => dev.open((e) => (e ? j(e) : r())));
    cleanups.push(() => new Promise<void>((r) => (dev.isOpen ? dev.close(() => r()) : r())));
    let n = 0;
    dev.on('data', () => {
      n++;
      const body = Buffer.from('050302002a', 'hex');
      const crc = crc16(body);
      if (n === 1) dev.write(Buffer.concat([body, Buffer.from([crc & 0xff ^ 0xff, crc >> 8])]));
      else dev.write(body.subarray(0, 3));
    });
    const mb = await ModbusChannel.openRtu(rtu(pty.b), 5, { evidence: evidence().evidence }, { requestTimeoutMs: 200 });
    cleanups.push(() => mb.close());
    const r = await mb.readHolding(0, 1);
    expect(r).toMatchObject({ ok: false, kind: 'garbage' });
    expect(r.ok === false && r.message).toMatch(/CRC mismatch/);
    const r2 = await mb.readHolding(0, 1);
    expect(r2).toMatchObject({ ok: false, kind: 'timeout' });
    expect(r2.ok === false && r2.message).toMatch(/incomplete reply \(3 bytes\)/);
  });
});
