import { readFileSync } from 'node:fs';

/** How often the worker looks for its `hil run` parent: well inside the 200 ms it may outlive it. */
const PERIOD_MS = 20;

/** Whether `pid` is a live process (a zombie, dead but not yet reaped, counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Field 3 of /proc/<pid>/stat, after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no procfs: kill(0) has spoken
  }
}

/** At most this often from the synchronous check: a request storm appends tens of thousands of records a second. */
const SYNC_CHECK_MS = 5;

/**
 * A check to run before each evidence record: ends this process at once when `pid` is gone. It
 * looks at most every few milliseconds, so it costs nothing measurable, and it does not depend on
 * timers a loaded machine may delay.
 */
export function orphanCheck(pid: number): () => void {
  let next = 0;
  return () => {
    const now = performance.now();
    if (now < next) return;
    next = now + SYNC_CHECK_MS;
    if (!processAlive(pid)) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * The scenario worker must not outlive `hil run`: when that process is gone (any signal, kill -9
 * included), nothing more may reach the device or the evidence. The worker kills itself at once,
 * without running abort handlers or teardown (they would send to the device); what is left to put
 * back is in the evidence as outstanding restorations, for `hil restore`.
 */
export function watchParent(pid: number, onGone: () => void = () => process.kill(process.pid, 'SIGKILL')): () => void {
  const timer = setInterval(() => {
    if (!processAlive(pid)) {
      clearInterval(timer);
      onGone();
    }
  }, PERIOD_MS);
  timer.unref();
  return () => clearInterval(timer);
}
