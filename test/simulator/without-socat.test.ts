import { describe, expect, test } from 'vitest';
import { startSimInBlock } from '../../harness/demo/sim-in-block.js';
import unauthenticatedAccess from '../../scenarios/unauthenticated-access.scenario.js';
import { runScenarioOn } from '../support/scenario-harness.js';

/**
 * `hil demo` must work "with nothing but npm install done": without socat the simulator serves its
 * console over TCP only and has no Modbus RTU, and the simulator targets follow its endpoints.
 */
describe('the simulator without socat ptys', () => {
  test('starts with the console on TCP only, no RTU, no socat; a console scenario runs through the target', async () => {
    const s = await startSimInBlock({ profile: 'hardened', opcua: false, ptys: false });
    try {
      expect(s.sim.endpoints.console.pty).toBeUndefined();
      expect(s.sim.endpoints.modbusRtu).toBeUndefined();
      expect(s.sim.socatPids).toEqual([]);
      expect(s.targetEnv.HIL_SIM_CONSOLE).toBe(s.sim.endpoints.console.tcp);
      expect(s.targetEnv.HIL_SIM_RTU_ENABLED).toBe('false');
      const { result } = await runScenarioOn(unauthenticatedAccess, s);
      expect(result.verdict, result.reason).toBe('PASS');
      expect(result.interfaces).toContain('console');
    } finally {
      await s.sim.stop();
    }
  }, 60_000);
});
