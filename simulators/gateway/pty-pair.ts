// A pseudo-terminal pair made by socat: the simulator opens one end, the harness the other,
// exactly as it would open /dev/ttyUSB0 on a real bench.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface PtyPair { simSide: string; harnessSide: string; pid: number; close(): Promise<void> }

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
/** Last line of defence: if the process dies without stop(), do not leave socat running. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => { for (const c of live) { try { c.kill('SIGKILL'); } catch { /* already gone */ } } });
}

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function openPtyPair(simSide: string, harnessSide: string, readyTimeoutMs = 5000): Promise<PtyPair> {
  for (const p of [simSide, harnessSide]) rmSync(p, { force: true });
  installExitHook();
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${simSide}`, `pty,raw,echo=0,link=${harnessSide}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => { live.delete(child); resolve(); }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`socat not ready after ${readyTimeoutMs} ms: ${log}`)); }, readyTimeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(new Error(`cannot start socat (is the Debian package installed?): ${e.message}`)); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`socat exited with ${code}: ${log}`)); });
    child.stderr!.on('data', (d: Buffer) => {
      // Keep only the tail: socat -d -d is chatty and the child lives as long as the simulator.
      log = (log + d.toString()).slice(-4000);
      if (log.includes('starting data transfer loop')) { clearTimeout(timer); resolve(); }
    });
  });
  let closing: Promise<void> | undefined;
  return {
    simSide, harnessSide, pid: child.pid!,
    close() {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 1000);
          await exited;
          clearTimeout(force);
        }
        for (const p of [simSide, harnessSide]) rmSync(p, { force: true });
      })();
      return closing;
    },
  };
}
