import { describe, expect, test } from 'vitest';
import type { ScenarioDefinition } from '../../harness/runner/scenario-definition.js';
import { loadCatalog } from '../../scenarios/catalog.js';
import { profilePreset } from '../../simulators/gateway/profiles.js';
import type { SimConfigOverrides } from '../../simulators/gateway/sim-config.js';
import { needParts } from '../support/real-parts.js';
import { runScenarioAgainstSim } from '../support/scenario-harness.js';

/**
 * Issue 8: "each switch of the simulator flipped alone turns exactly the scenarios that depend on
 * it from PASS to FAIL". For every scenario: each switch it depends on, flipped alone on the
 * hardened simulator, makes it FAIL; all the switches it does NOT depend on, flipped together to
 * their weak values, leave it PASS (so none of them, alone, can turn it). Scenarios that need an
 * upstream broker (link-loss, broker-outage) are N/A on the plain simulator and are proven with a
 * real Mosquitto in their own tests.
 */
type Flip = { name: string; config: SimConfigOverrides; opcua?: boolean };

const weak = profilePreset('weak').switches;
const FLIPS: Record<string, Flip> = {
  defaultCredential: { name: 'defaultCredential', config: { switches: { defaultCredential: weak.defaultCredential } } },
  passwordPolicy: { name: 'passwordPolicy', config: { switches: { passwordPolicy: false } } },
  lockout: { name: 'lockout', config: { switches: { lockout: false } } },
  idleTimeout: { name: 'idleTimeout', config: { switches: { idleTimeout: false } } },
  debugShell: { name: 'debugShell', config: { switches: { debugShell: true } } },
  mqttAnonymous: { name: 'mqttAnonymous', config: { switches: { mqttAnonymous: true } } },
  mqttAcl: { name: 'mqttAcl', config: { switches: { mqttAcl: false } } },
  mqttTls: { name: 'mqttTls', config: { switches: { mqttTls: false } } },
  opcuaAnonymous: { name: 'opcuaAnonymous', config: { switches: { opcuaAnonymous: true } }, opcua: true },
  opcuaSecurityNone: { name: 'opcuaSecurityNone', config: { switches: { opcuaSecurityNone: true } }, opcua: true },
  'rangeCheck.modbus': { name: 'rangeCheck.modbus', config: { switches: { rangeCheck: { modbus: 'accept' } } } },
  'rangeCheck.mqtt': { name: 'rangeCheck.mqtt', config: { switches: { rangeCheck: { mqtt: 'accept' } } } },
  'rangeCheck.opcua': { name: 'rangeCheck.opcua', config: { switches: { rangeCheck: { opcua: 'accept' } } }, opcua: true },
  'rangeCheck.console': { name: 'rangeCheck.console', config: { switches: { rangeCheck: { console: 'accept' } } } },
  // 'hold' is the "outputs hold their last value on watchdog expiry" (outputsHoldOnWatchdog).
  safeStateOnCommLoss: { name: 'safeStateOnCommLoss', config: { switches: { safeStateOnCommLoss: 'hold' } } },
  alerts: { name: 'alerts', config: { switches: { alerts: false } } },
  privilegeSeparation: { name: 'privilegeSeparation', config: { switches: { privilegeSeparation: false } } },
  consoleLoginRequired: { name: 'consoleLoginRequired', config: { switches: { consoleLoginRequired: false } } },
  stormResilience: { name: 'stormResilience', config: { switches: { stormResilience: false } } },
  inputValidation: { name: 'inputValidation', config: { switches: { inputValidation: false } } },
  fc16BypassesRangeCheck: { name: 'fc16BypassesRangeCheck', config: { switches: { fc16BypassesRangeCheck: true } } },
  mqttSilentOutOfRange: { name: 'mqttSilentOutOfRange', config: { switches: { mqttSilentOutOfRange: true } } },
  mqttAnonymousCanCommand: { name: 'mqttAnonymousCanCommand', config: { switches: { mqttAnonymousCanCommand: true } } },
  lockoutCounterPerConnection: { name: 'lockoutCounterPerConnection', config: { switches: { lockoutCounterPerConnection: true } } },
  lockExtendedByAttempts: { name: 'lockExtendedByAttempts', config: { switches: { lockExtendedByAttempts: true } } },
  lockoutPerSource: { name: 'lockoutPerSource', config: { switches: { lockoutPerSource: true } } },
  consoleEndpointsSeparateCounters: { name: 'consoleEndpointsSeparateCounters', config: { switches: { consoleEndpointsSeparateCounters: true } } },
};

/** Which switches each scenario depends on: flipped alone, the scenario must FAIL. */
const DEPENDS: Record<string, string[]> = {
  'default-credentials': ['defaultCredential', 'passwordPolicy'],
  // the debug shell runs commands without login on a port outside the allowlist
  'unauthenticated-access': ['mqttAnonymous', 'opcuaAnonymous', 'consoleLoginRequired', 'debugShell', 'mqttAnonymousCanCommand'],
  'secure-channel': ['mqttTls', 'opcuaSecurityNone'],
  // a console that needs no login hands the non-admin an admin shell
  'privilege-separation': ['privilegeSeparation', 'mqttAcl', 'consoleLoginRequired'],
  'port-closure': ['debugShell'],
  'range-check': ['rangeCheck.modbus', 'rangeCheck.mqtt', 'rangeCheck.opcua', 'rangeCheck.console', 'alerts', 'fc16BypassesRangeCheck', 'mqttSilentOutOfRange'],
  'idle-session-timeout': ['idleTimeout'],
  lockout: ['lockout', 'alerts', 'lockoutCounterPerConnection', 'lockExtendedByAttempts', 'lockoutPerSource', 'consoleEndpointsSeparateCounters'],
  'safe-state-master-loss': ['safeStateOnCommLoss'],
  'malformed-input': ['inputValidation'],
  'request-storm': ['stormResilience'],
};
const UPSTREAM_ONLY = new Set(['link-loss', 'broker-outage']);

/**
 * Switches that take away what a scenario measures without being its weakness: a console that
 * gives a shell without login (unauthenticated-access FAILs on it) leaves no login to test, so the
 * login checks must say INCONCLUSIVE there, never PASS.
 */
const UNDECIDABLE: Record<string, string[]> = {
  'default-credentials': ['consoleLoginRequired'],
  'idle-session-timeout': ['consoleLoginRequired'],
  lockout: ['consoleLoginRequired'],
};

/** Deep-merge switch overrides (rangeCheck is nested). */
function merge(flips: Flip[]): { config: SimConfigOverrides; opcua: boolean } {
  const switches: Record<string, unknown> = {};
  let opcua = false;
  for (const f of flips) {
    for (const [k, v] of Object.entries(f.config.switches ?? {})) {
      switches[k] = typeof v === 'object' && v ? { ...(switches[k] as object), ...v } : v;
    }
    opcua ||= f.opcua ?? false;
  }
  return { config: { switches } as SimConfigOverrides, opcua };
}

const parts = await needParts('socat');
const catalog = await loadCatalog();
const byId = new Map<string, ScenarioDefinition>(catalog.map((c) => [c.def.id, c.def]));

describe.skipIf(parts.skip)('every simulator switch turns exactly its dependent scenarios from PASS to FAIL', () => {
  test('the table covers every scenario of the catalog and every switch', () => {
    const ids = catalog.map((c) => c.def.id).filter((id) => !UPSTREAM_ONLY.has(id));
    expect(Object.keys(DEPENDS).sort()).toEqual(ids.sort());
    const used = new Set([...Object.values(DEPENDS).flat(), ...Object.values(UNDECIDABLE).flat()]);
    for (const s of Object.keys(FLIPS)) expect(used.has(s), `switch ${s} has no dependent scenario`).toBe(true);
    // every boolean/enum switch of the simulator (but the hostile replacement) has a flip
    for (const k of Object.keys(profilePreset('hardened').switches)) {
      if (k === 'hostile') continue;
      if (k === 'rangeCheck') continue;
      expect(FLIPS[k], `no flip for switch ${k}`).toBeDefined();
    }
  });

  for (const [id, deps] of Object.entries(DEPENDS)) {
    const undecidable = UNDECIDABLE[id] ?? [];
    const others = Object.keys(FLIPS).filter((s) => !deps.includes(s) && !undecidable.includes(s));
    test(`${id}: PASS with every other switch flipped (${others.length})`, async () => {
      const def = byId.get(id)!;
      const m = merge(others.map((s) => FLIPS[s]!));
      const { result } = await runScenarioAgainstSim(def, { profile: 'hardened', config: m.config, opcua: m.opcua });
      expect(['PASS', 'NOT_APPLICABLE'], `${id}: ${result.verdict} — ${result.reason}`).toContain(result.verdict);
    }, 300_000);

    for (const dep of deps) {
      test(`${id}: FAIL with only ${dep} flipped`, async () => {
        const def = byId.get(id)!;
        const f = FLIPS[dep]!;
        const { result } = await runScenarioAgainstSim(def, { profile: 'hardened', config: f.config, opcua: f.opcua ?? false });
        expect(result.verdict, `${id} with ${dep}: ${result.reason}`).toBe('FAIL');
      }, 300_000);
    }

    for (const sw of undecidable) {
      test(`${id}: INCONCLUSIVE (never PASS) with only ${sw} flipped`, async () => {
        const f = FLIPS[sw]!;
        const { result } = await runScenarioAgainstSim(byId.get(id)!, { profile: 'hardened', config: f.config, opcua: f.opcua ?? false });
        expect(result.verdict, `${id} with ${sw}: ${result.reason}`).toBe('INCONCLUSIVE');
      }, 300_000);
    }
  }
});
