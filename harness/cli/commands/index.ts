import type { Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';
import { registerDemo } from './demo-command.js';
import { registerList } from './list-command.js';
import { registerRun } from './run-command.js';
import { registerSim } from './sim-command.js';
import { registerReport } from './report-command.js';
import { registerVerify } from './verify-command.js';
import { registerDiff } from './diff-command.js';
import { registerMerge } from './merge-command.js';
import { registerKey } from './key-command.js';
import { registerRestore } from './restore-command.js';

/** Every `hil` verb; each lives in its own module and loads its heavy dependencies only when it runs. */
export function registerCommands(program: Command, setExit: SetExitCode): void {
  registerSim(program, setExit);
  registerReport(program, setExit);
  registerVerify(program, setExit);
  registerDiff(program, setExit);
  registerMerge(program, setExit);
  registerRestore(program, setExit);
  registerKey(program, setExit);
  registerRun(program, setExit);
  registerList(program, setExit);
  registerDemo(program, setExit);
}
