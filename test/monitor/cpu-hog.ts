// Bounded CPU hogs for timing tests: busy processes that load the cores while the harness runs,
// each ending by itself after `maxMs` (so a crashed test leaves nothing spinning) and stopped by
// the test when it is done.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuHogs {
  readonly pids: number[];
  stop(): Promise<void>;
}

export function startCpuHogs(count = availableParallelism(), maxMs = 600_000): CpuHogs {
  const hogs: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    hogs.push(spawn(process.execPath, ['-e', `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`], { stdio: 'ignore' }));
  }
  return {
    pids: hogs.map((h) => h.pid!),
    async stop() {
      await Promise.all(
        hogs.map(
          (h) =>
            new Promise<void>((resolve) => {
              if (h.exitCode !== null || h.signalCode !== null) return resolve();
              h.once('exit', () => resolve());
              h.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
