// Container target, for real: the simulator image (built locally, never pulled) started by
// testcontainers against the Docker engine, host networking, Modbus TCP on 127.0.0.1, then
// stopped and removed with its log kept.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ModbusRTUDefault from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startContainerTarget, loopbackTcpEndpoints, type RunningContainerTarget } from '../../harness/container/container-target.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { needParts } from '../support/real-parts.js';

const ModbusRTU = ModbusRTUDefault as unknown as typeof ModbusRTUDefault.default;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PROFILE = resolve(ROOT, 'targets/container/sim-container.yaml');

const parts = await needParts('docker');

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      r(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

describe.skipIf(parts.skip)('container target (real Docker engine, testcontainers)', { timeout: 120_000 }, () => {
  const loaded = loadTargetFile(PROFILE, { ...process.env });
  const spec = loaded.profile.container!;
  const modbus = new URL(loaded.profile.interfaces.modbus!.tcp!.replace(/^tcp:/, 'http:'));
  let target: RunningContainerTarget | undefined;

  beforeAll(() => {
    parts.assert();
    // Built from files on this machine only (docker import of node + socat + openssl + libs).
    const r = spawnSync('bash', [resolve(ROOT, 'scripts/build-sim-image.sh'), '--if-missing', spec.image], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`building ${spec.image} failed:\n${r.stdout}${r.stderr}`);
  }, 150_000);

  afterAll(async () => {
    await target?.stop();
  });

  test('a missing image is a clear error, never a pull', async () => {
    await expect(startContainerTarget({ ...spec, image: 'local/hil-no-such-image:none' })).rejects.toThrow(
      /image local\/hil-no-such-image:none is not present locally and no registry is reachable/,
    );
  });

  test('starts the simulator image, serves Modbus TCP on loopback, stops and leaves nothing', async () => {
    // Positive control for "the container is what answers": nothing listens there before.
    expect(await accepts(modbus.hostname, Number(modbus.port))).toBe(false);

    const t0 = Date.now();
    target = await startContainerTarget(spec, {
      baseDir: dirname(loaded.path),
      targetName: loaded.profile.name,
      waitForTcp: loopbackTcpEndpoints([loaded.profile.interfaces.modbus!.tcp, loaded.profile.monitor?.modbusTcp]),
    });
    const startMs = Date.now() - t0;
    const ready = JSON.parse(await target.waitForLogLine(/"ready":true/, 1000)) as { modbusTcp: string; profile: string };
    expect(ready.profile).toBe('hardened');
    expect(ready.modbusTcp).toBe(loaded.profile.interfaces.modbus!.tcp);

    const client = new ModbusRTU();
    try {
      await client.connectTCP(modbus.hostname, { port: Number(modbus.port) });
      client.setID(loaded.profile.interfaces.modbus!.unitId);
      client.setTimeout(2000);
      const r = await client.readHoldingRegisters(0, 2);
      expect(r.data).toHaveLength(2);
      for (const v of r.data) expect(Number.isInteger(v)).toBe(true);
    } finally {
      await new Promise<void>((res) => client.close(() => res()));
    }

    const id = target.containerId;
    const t1 = Date.now();
    await target.stop();
    const stopMs = Date.now() - t1;
    console.info(`[container-target] ${spec.image} ready in ${startMs} ms, stopped in ${stopMs} ms, log ${target.logs().length} chars`);

    // Gone from the engine, the port is closed, and the log was kept.
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client2 = await getContainerRuntimeClient();
    await expect(client2.container.getById(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await accepts(modbus.hostname, Number(modbus.port))).toBe(false);
    expect(target.logs()).toContain('"ready":true');
    target = undefined;
  });
});
