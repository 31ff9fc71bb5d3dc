import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import { EvidenceLog } from '../../harness/evidence/evidence-log.js';
import type { EvidenceInput, EvidenceRecord } from '../../harness/evidence/evidence-record.js';
import { TcpFaultProxy } from '../../harness/faults/tcp-fault-proxy.js';
import { loadTargetFile } from '../../harness/profile/load-target.js';
import { resolveSecrets } from '../../harness/profile/secrets.js';
import { executeScenario } from '../../harness/runner/scenario-executor.js';
import secureChannel from '../../scenarios/secure-channel.scenario.js';
import { freeLoopbackPort } from '../support/mosquitto-fixture.js';
import { needParts } from '../support/real-parts.js';
import '../support/scenario-harness.js'; // sets the simulator account passwords for this process

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');

/** Evidence log that calls `on` with every record once written (the test's view of the wire, in order). */
class WatchedEvidence extends EvidenceLog {
  on: (r: EvidenceRecord) => void = () => undefined;
  override append(input: EvidenceInput): EvidenceRecord {
    const r = super.append(input);
    this.on(r);
    return r;
  }
}

/**
 * The OPC UA secure-channel probe through ctx.judge: the simulator advertises None/None
 * (opcuaSecurityNone switch), which GetEndpoints alone proves (a FAIL); the device then goes
 * silent on the None channel (a real TCP fault proxy swallows every byte once it is open), so the
 * forced None session runs into its deadline and the probe throws. The FAIL must stay, listed first.
 */
describe.skipIf(parts.skip)('OPC UA probes: a proven FAIL survives a later channel error', () => {
  test('None endpoint advertised (FAIL), the None session hits its deadline → FAIL first, ERROR after', { timeout: 120_000 }, async () => {
    const sim = await startSimInBlock({ profile: 'hardened', config: { switches: { opcuaSecurityNone: true } }, opcua: true });
    const opcuaPort = new URL(sim.sim.endpoints.opcua!.replace(/^opc\.tcp:/, 'tcp:')).port;
    const proxy = await TcpFaultProxy.start({ listen: `tcp://127.0.0.1:${await freeLoopbackPort()}`, target: `tcp://127.0.0.1:${opcuaPort}` });
    try {
      const env = { ...process.env, ...sim.targetEnv, HIL_SIM_OPCUA: `opc.tcp://127.0.0.1:${proxy.port}/UA/Gateway` };
      const target = loadTargetFile(join(targets, 'sim-hardened.yaml'), env);
      delete target.profile.interfaces.mqtt; // OPC UA alone
      target.profile.interfaces.opcua!.timeoutMs = 2000;
      const secrets = resolveSecrets(target.profile, env);
      const evidence = new WatchedEvidence(mkdtempSync(join(tmpdir(), 'hil-sink-opcua-')), 'test-sink-opcua', secrets.redactor);
      let silenced = false;
      evidence.on = (r) => {
        if (!silenced && r.protocol === 'opcua' && r.text?.startsWith('Connected: secure channel None/None')) {
          silenced = true;
          proxy.setMode('blackhole');
        }
      };
      const result = await executeScenario(secureChannel, { target: target.profile, secrets, evidence });

      expect(silenced, 'the None channel was opened, then silenced').toBe(true);
      expect(result.verdict, result.reason).toBe('FAIL');
      expect(result.perInterface).toMatchObject({ opcua: 'FAIL' });
      expect(result.reason).toMatch(/^\[opcua\] OPC UA offers endpoints without security \(None\/None/);
      const error = result.reason.indexOf('ERROR');
      expect(error, result.reason).toBeGreaterThan(result.reason.indexOf('OPC UA offers endpoints without security'));
      expect(result.reason.slice(error)).toMatch(/OPC UA|deadline|timed? ?out/i);
    } finally {
      await proxy.close();
      await sim.sim.stop();
    }
  });
});
