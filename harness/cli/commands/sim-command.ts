import { Option, type Command } from 'commander';
import type { SetExitCode } from '../exit-code.js';

export function registerSim(program: Command, _setExit: SetExitCode): void {
  program
    .command('sim')
    .description('start the simulated gateway; prints one JSON ready line, runs until SIGINT/SIGTERM')
    .addOption(new Option('--profile <name>', 'security profile').choices(['hardened', 'weak', 'hostile']).default('hardened'))
    .option('--config <file>', 'YAML/JSON file overriding switches, parameters and ports')
    .option('--no-opcua', 'leave the OPC UA server out')
    .option('--host <addr>', 'bind address', '127.0.0.1')
    .option('--base-port <n>', 'first port of the fixed port layout', (v) => Number.parseInt(v, 10))
    .option('--pty-dir <dir>', 'where the console and Modbus RTU pty links go (default /tmp/hil-sim-<profile>)')
    .option('--upstream <url>', 'the gateway\'s upstream MQTT broker (mqtt://host:port), e.g. the harness\'s fault proxy')
    .action(async (opts: { profile: 'hardened' | 'weak' | 'hostile'; config?: string; opcua: boolean; host: string; basePort?: number; ptyDir?: string; upstream?: string }) => {
      const { runSimCli } = await import('../../../simulators/gateway/index.js');
      await runSimCli({ profile: opts.profile, config: opts.config, noOpcua: !opts.opcua, host: opts.host, basePort: opts.basePort, ptyDir: opts.ptyDir, upstream: opts.upstream });
    });
}
