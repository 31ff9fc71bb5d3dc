import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModbusChannel } from '../../harness/protocols/modbus/modbus-channel.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import rangeCheck from '../../scenarios/range-check.scenario.js';
import { startPymodbusServer, type PymodbusServer } from '../support/pymodbus-server.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('pymodbus');

describe.skipIf(parts.skip)('range-check against Debian pymodbus (a server that stores any value)', () => {
  let server: PymodbusServer;
  beforeAll(async () => {
    parts.assert();
    const version = parts.statuses[0]?.version?.replace(/^pymodbus /, '');
    server = await startPymodbusServer(parts.bin('pymodbus'), { ...(version ? { version } : {}) });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  test('FAIL with the stored value as evidence; the original value is restored', { timeout: 120_000 }, async () => {
    const env = { ...process.env, ...server.env };
    const target = loadTargetFile(join(import.meta.dirname, '../../targets/pymodbus-server.yaml'), env);
    const secrets = resolveSecrets(target.profile, env);
    const runDir = mkdtempSync(join(tmpdir(), 'hil-scn-range-pymodbus-'));
    const evidence = new EvidenceLog(runDir, 'test-range-check-pymodbus', secrets.redactor);
    const result = await executeScenario(rangeCheck, { target: target.profile, secrets, evidence });

    expect(result.verdict, result.reason).toBe('FAIL');
    expect(result.reason).toMatch(/\[modbus-tcp\] setpoint: FC06 write of 81 °C \(max 80 °C\) was stored \(read back 81 °C/);
    expect(result.reason).toMatch(/FC16 write of -1 °C \(min 0 °C\) was stored \(read back -1 °C/);
    const m = Object.fromEntries(result.measurements.map((x) => [x.name, x.value]));
    expect(m['setpoint.modbus-tcp.original']).toBe(45);
    expect(m['setpoint.modbus-tcp.control.fc06']).toBe('took effect');
    expect(m['setpoint.modbus-tcp.fc06.max+1']).toBe('accepted');
    expect(m['setpoint.modbus-tcp.fc16.max+1']).toBe('accepted');
    expect(m['setpoint.modbus-tcp.restored']).toBe(true);
    const stored = result.assertions.find((a) => a.name.startsWith('setpoint.modbus-tcp.fc06.max+1'));
    expect(stored?.actual).toMatchObject({ observed: 'accepted', readBack: 81 });

    // Independently of the harness's own verification: the server holds the original 45.0 °C again.
    const mb = await ModbusChannel.openTcp(server.url, 1, { evidence, signal: AbortSignal.timeout(5000) });
    try {
      expect(await mb.readHolding(9, 1)).toMatchObject({ ok: true, data: [450] });
    } finally {
      await mb.close();
    }
  });
});
