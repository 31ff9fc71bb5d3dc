import { Command, CommanderError } from 'commander';
import { harnessVersion } from '../core/versions.js';
import { registerCommands } from './commands/index.js';

/**
 * `hil` command line. Each verb lives in its own module under commands/ and loads its heavy
 * dependencies (protocol libraries, OPC UA) only when it runs, so `hil --help` stays fast.
 * Returns the process exit code: 0 ok, 1 device findings, 2 error or bad usage.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('hil')
    .description('Hardware-in-the-loop security test harness for IoT gateways')
    .version(harnessVersion())
    .exitOverride()
    .showHelpAfterError();
  let code = 0;
  registerCommands(program, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const err = e as Error;
    process.stderr.write(`hil: ${err.message}\n`);
    if (process.env.HIL_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
