import type { Command } from 'commander';
import { registerDemo } from './demo-command.js';
import { registerList } from './list-command.js';
import { registerRun } from './run-command.js';
import { registerSim } from './sim-command.js';

/** Sets the process exit code from inside an action. */
export type SetExitCode = (code: number) => void;

export function registerCommands(program: Command, setExit: SetExitCode): void {
  registerSim(program, setExit);
  registerRun(program, setExit);
  registerList(program, setExit);
  registerDemo(program, setExit);
}
