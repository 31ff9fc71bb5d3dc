/**
 * A Duplex in front of a net.Socket that reports every byte crossing the wire. Libraries that want a
 * stream (mqtt's streamBuilder, tls.connect({socket})) get this instead of the socket, so the
 * evidence holds the real wire bytes: plaintext protocol bytes, or TLS records when TLS runs on top.
 */
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';

export interface Tap {
  tx(b: Buffer): void;
  rx(b: Buffer): void;
}

export class TappedSocket extends Duplex {
  constructor(
    readonly socket: Socket,
    private readonly tap: Tap,
  ) {
    super();
    socket.on('data', (b: Buffer) => {
      tap.rx(b);
      if (!this.push(b)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.tap.tx(chunk);
    this.socket.write(chunk, (err) => cb(err ?? null));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}
