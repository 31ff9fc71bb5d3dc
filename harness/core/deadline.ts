/**
 * Deadlines for device operations. Every channel call takes an AbortSignal; these helpers
 * make one from a timeout (and an optional parent) and race a promise against it.
 */
export class DeadlineError extends Error {
  constructor(public readonly what: string, public readonly ms?: number) {
    super(ms === undefined ? `${what}: aborted` : `${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * Pending deadlines, held strongly until they fire. Node 20 keeps AbortSignal.timeout() and
 * AbortSignal.any() signals only weakly: when nothing else references them, the garbage collector
 * drops them and the timer with them, and the deadline NEVER fires (seen as a 60 s OPC UA connect
 * under an 8 s deadline when certificate generation triggered a GC).
 */
const pending = new Set<{ s: AbortSignal; t: AbortSignal }>();

/** A signal that aborts after `ms` or when `parent` aborts, whichever comes first. */
export function deadline(ms: number, parent?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  const s = parent ? AbortSignal.any([parent, t]) : t;
  if (s.aborted) return s;
  const pin = { s, t };
  pending.add(pin);
  s.addEventListener('abort', () => pending.delete(pin), { once: true });
  return s;
}

/**
 * Resolve with `work` unless `signal` aborts first; then reject with DeadlineError and run `onAbort`
 * (which must release whatever `work` holds: close the socket, kill the process).
 */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal, what: string, onAbort?: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort?.();
    work.catch(() => undefined);
    return Promise.reject(new DeadlineError(what));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(new DeadlineError(what));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

/** Sleep that wakes early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DeadlineError('sleep'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new DeadlineError('sleep'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
