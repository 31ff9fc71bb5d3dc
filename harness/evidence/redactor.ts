/**
 * Replaces secret values (passwords from environment variables) with a marker, in text and in bytes.
 * Every string that leaves the harness for a file passes through one of these.
 */
export const REDACTION_MARKER = '[REDACTED]';

export class Redactor {
  private readonly secrets: string[] = [];
  private readonly publicValues = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /**
   * Values that are public knowledge (vendor default passwords from the manual, "admin"): never
   * masked, even when a channel hands them over as a password, so transcripts stay readable.
   */
  allowPublic(values: Iterable<string>): void {
    for (const v of values) this.publicValues.add(v);
    for (let i = this.secrets.length - 1; i >= 0; i--) if (this.publicValues.has(this.secrets[i]!)) this.secrets.splice(i, 1);
  }

  /** Secrets shorter than 3 characters would redact ordinary text; they are not masked. */
  add(secret: string | undefined): void {
    if (!secret || this.secrets.includes(secret) || this.publicValues.has(secret)) return;
    this.secrets.push(secret);
    // Longest first so a secret containing another is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (secret.length >= 3) out = out.split(secret).join(REDACTION_MARKER);
    return out;
  }

  /**
   * In wire bytes a secret is overwritten with '*' of the same length, so protocol framing (an MQTT
   * CONNECT's length fields, TCP sequence numbers in the pcap) stays valid. The cost, accepted on
   * purpose, is that the evidence shows the secret's length.
   */
  bytes(b: Uint8Array): Buffer {
    const buf = Buffer.from(b);
    for (const secret of this.secrets) {
      if (secret.length < 3) continue;
      const needle = Buffer.from(secret, 'utf8');
      for (let at = buf.indexOf(needle); at !== -1; at = buf.indexOf(needle, at + needle.length)) buf.fill(0x2a, at, at + needle.length);
    }
    return buf;
  }

  /** Deep-redact any JSON-like value (used for attrs and attachments). */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)])) as T;
    }
    return v;
  }
}
