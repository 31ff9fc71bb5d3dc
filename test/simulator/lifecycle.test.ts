// Start/stop lifecycle: several simulators at once on auto ports, stop() idempotent and leaving
// no socat behind, and the CLI entry printing one ready line and exiting 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, test } from 'vitest';
import { cliPorts, startSimulator } from '../../simulators/gateway/index.ts';
import { needParts } from '../support/real-parts.ts';
import { closeModbus, modbusTcpClient, pgrep, waitUntil } from './sim-test-kit.ts';

const parts = await needParts('socat');

describe.skipIf(parts.skip)('lifecycle', () => {
  test('two simulators at once on auto ports; stop() leaves no socat and is idempotent', async () => {
    parts.assert();
    const [a, b] = await Promise.all([
      startSimulator({ profile: 'hardened', opcua: false }),
      startSimulator({ profile: 'weak', opcua: false }),
    ]);
    const all = [...a.endpoints.tcpPorts, ...b.endpoints.tcpPorts];
    expect(new Set(all).size).toBe(all.length);
    const dirA = a.endpoints.console.pty!.replace(/\/console$/, '');
    expect(pgrep(dirA).length).toBe(2); // console and RTU socat
    for (const s of [a, b]) {
      const c = await modbusTcpClient(s.endpoints.modbusTcp);
      expect((await c.readHoldingRegisters(0, 1)).data).toEqual([450]);
      await closeModbus(c);
    }
    await Promise.all([a.stop(), b.stop()]);
    await a.stop();
    expect(pgrep(dirA)).toEqual([]);
    for (const pid of [...a.socatPids, ...b.socatPids]) expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(a.endpoints.console.pty!)).toBe(false);
  });

  test('runSimCli: one JSON ready line on fixed ports, clean exit 0 on SIGTERM, no socat left', async () => {
    parts.assert();
    const basePort = 20000 + Math.floor(Math.random() * 200) * 10;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e',
      `import('./simulators/gateway/index.ts').then(m => m.runSimCli({ profile: 'weak', noOpcua: true, basePort: ${basePort} }))`], {
      cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitUntil(() => lines.length > 0 || child.exitCode !== null, 20_000, 50);
      expect(lines.length, stderr).toBe(1);
      const ready = JSON.parse(lines[0]!);
      const ports = cliPorts('weak', basePort);
      expect(ready).toMatchObject({
        ready: true, profile: 'weak',
        console: { pty: '/tmp/hil-sim-weak/console', tcp: `tcp://127.0.0.1:${ports.console}` },
        modbusTcp: `tcp://127.0.0.1:${ports.modbusTcp}`,
        modbusRtu: { pty: '/tmp/hil-sim-weak/modbus-rtu', unitId: 1, baudRate: 19200 },
        mqtt: `mqtt://127.0.0.1:${ports.mqtt}`,
        fieldMonitor: `tcp://127.0.0.1:${ports.fieldMonitor}`,
        debug: `tcp://127.0.0.1:${ports.debug}`,
      });
      expect(ready.opcua).toBeUndefined();
      expect(pgrep('/tmp/hil-sim-weak/').length).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(lines).toHaveLength(1);
    expect(pgrep('/tmp/hil-sim-weak/')).toEqual([]);
  });

  test('default CLI ports follow the documented bases and offsets', () => {
    expect(cliPorts('hardened').modbusTcp).toBe(15502);
    expect(cliPorts('weak').debug).toBe(16323);
    expect(cliPorts('hostile')).toEqual({ console: 17023, modbusTcp: 17502, mqtt: 17883, opcua: 17840, fieldMonitor: 17602, debug: 17323 });
  });
});
