/**
 * Turns raw console bytes into matchable text: UTF-8 decoded across chunk boundaries, ANSI escape
 * sequences (colours, cursor moves, OSC titles) removed even when split across chunks, CRLF and lone
 * CR normalised to "\n", NUL/BEL dropped. Backspace is kept for the caller (it edits its own buffer).
 */
import { StringDecoder } from 'node:string_decoder';

// CSI (ESC [ ... final), OSC (ESC ] ... BEL|ST), charset designators (ESC ( B), other 2-byte escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()*+][A-Za-z0-9]|\x1b[@-Z\\^_=>78]|\x9b[0-?]*[ -/]*[@-~]/g;
const ANSI_AT_START = new RegExp(`^(?:${ANSI.source})`);

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

export class ConsoleTextNormalizer {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private lastCR = false;

  feed(chunk: Buffer): string {
    let s = this.carry + this.decoder.write(chunk);
    this.carry = '';
    const esc = s.lastIndexOf('\x1b');
    if (esc !== -1) {
      const tail = s.slice(esc);
      // An escape sequence cut at the chunk boundary: keep it until the rest arrives (bounded).
      if (!ANSI_AT_START.test(tail) && tail.length < 64 && !/[\r\n]/.test(tail)) {
        this.carry = tail;
        s = s.slice(0, esc);
      }
    }
    s = stripAnsi(s).replace(/\x1b/g, '');
    let out = '';
    for (const ch of s) {
      if (ch === '\n' && this.lastCR) {
        this.lastCR = false;
        continue;
      }
      this.lastCR = ch === '\r';
      if (ch === '\r') out += '\n';
      else if (ch === '\x00' || ch === '\x07') continue;
      else out += ch;
    }
    return out;
  }
}
