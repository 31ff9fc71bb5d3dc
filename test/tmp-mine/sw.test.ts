import { test } from 'vitest';
import dc from '../../scenarios/default-credentials.scenario.js';
import lo from '../../scenarios/lockout.scenario.js';
import idle from '../../scenarios/idle-session-timeout.scenario.js';
import { runWithDeclared } from '../support/custom-target-run.js';
test('sw', { timeout: 600_000 }, async () => {
  for (const [name, sw] of [['consoleLoginRequired', { consoleLoginRequired: false }], ['misc', { mqttTls: false, debugShell: true, safeStateOnCommLoss: 'hold', rangeCheck: { modbus: 'accept', mqtt: 'accept', console: 'accept', opcua: 'accept' } }]] as const) {
    for (const def of [dc, lo, idle]) {
      const r = await runWithDeclared(def, { profile: 'hardened', config: { switches: sw as any, params: { lockoutDurationMs: 1500 } }, declare: (t) => { t.policy.lockout = { ...t.policy.lockout!, durationMs: 1500, toleranceMs: 1000 }; } });
      console.log(name, def.id, r.result.verdict, r.result.durationMs, r.result.reason.slice(0, 300));
    }
  }
});
