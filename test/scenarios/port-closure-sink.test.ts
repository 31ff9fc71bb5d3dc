import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SIM_BLOCK, startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import portClosure from '../../scenarios/port-closure.scenario.js';
import { needParts } from '../support/real-parts.js';
import '../support/scenario-harness.js'; // sets the simulator account passwords for this process

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

/**
 * The port audit through ctx.judge: a silent listener on the last port of the simulator's block is
 * an open port outside the allowlist. The scan proves it; the run is cancelled while its banner is
 * being grabbed (its second connection), so the audit throws part-way. The allowlist FAIL proven by
 * the scan must stay, listed first, with the cancellation ERROR after it.
 */
describe.skipIf(parts.skip)('port-closure: an unexpected open port survives the banner grab being cut short', () => {
  test('silent listener in the range, run cancelled during its banner grab → FAIL naming the port first, ERROR after', { timeout: 120_000 }, async () => {
    const sim = await startSimInBlock({ profile: 'hardened', opcua: false });
    const cancel = new AbortController();
    const sockets = new Set<Socket>();
    let connections = 0;
    const hole = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      // The first connection is the scan's; the second is the banner grab.
      if (++connections === 2) cancel.abort('cancelled by the test');
    });
    const holePort = sim.base + SIM_BLOCK - 1;
    await new Promise<void>((r) => hole.listen(holePort, '127.0.0.1', r));
    try {
      const env = { ...process.env, ...sim.targetEnv };
      const target = loadTargetFile(join(targets, 'sim-hardened.yaml'), env);
      delete target.profile.interfaces.opcua;
      const secrets = resolveSecrets(target.profile, env);
      const evidence = new EvidenceLog(mkdtempSync(join(tmpdir(), 'hil-sink-ports-')), 'test-sink-ports', secrets.redactor);
      const result = await executeScenario(portClosure, { target: target.profile, secrets, evidence, signal: cancel.signal });

      expect(connections, 'scanned, then its banner grab started').toBeGreaterThanOrEqual(2);
      expect(result.verdict, result.reason).toBe('FAIL');
      expect(result.reason).toMatch(new RegExp(`^\\[network\\] unexpected open TCP port\\(s\\) not in the declared allowlist: ${holePort}(;|$)`));
      expect(result.reason).toMatch(/; ERROR: run cancelled/);
      expect(result.checks?.find((c) => c.name === 'open TCP ports ⊆ allowlist')?.verdict).toBe('FAIL');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => hole.close(() => r()));
      await sim.sim.stop();
    }
  });
});
