import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../simulators/gateway/index.js';
import { needParts } from '../support/real-parts.js';

const parts = await needParts('socat');

/** Write binary noise to the console over its TCP port. */
async function noise(url: string): Promise<void> {
  const u = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x10, 0x11, 0x00, 0x00, 0x07]), () => {
        s.end();
        resolve();
      });
    });
    s.on('error', reject);
  });
}

describe.skipIf(parts.skip)('switch inputValidation', () => {
  const sims: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.stop()));
  });

  for (const on of [true, false]) {
    test(`${on ? 'on: the heartbeat keeps running' : 'off: binary noise on the console hangs the process'}`, async () => {
      const sim = await startSimulator({ profile: 'hardened', opcua: false, config: { switches: { inputValidation: on }, params: { inputHangMs: 1500 } } });
      sims.push(sim);
      await noise(sim.endpoints.console.tcp);
      await sleep(100); // the console server handles the bytes
      const before = sim.model.snapshot().heartbeat;
      await sleep(800);
      const after = sim.model.snapshot().heartbeat;
      if (on) expect(after).toBeGreaterThan(before);
      else {
        expect(after).toBe(before);
        await sleep(1200);
        expect(sim.model.snapshot().heartbeat, 'the hang ends after inputHangMs').toBeGreaterThan(after);
      }
    });
  }
});
