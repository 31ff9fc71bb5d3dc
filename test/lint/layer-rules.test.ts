// The layer rules in .dependency-cruiser.cjs catch what they claim to: each planted import below
// is reported by exactly the rule named next to it, and a tree that keeps the layer order passes.
import { describe, expect, test } from 'vitest';
import { cruiseTree, type PlantedImport, type Violation } from './cruise-tree.js';

/** A tree that keeps every rule, including the allowed exceptions the rules spell out. */
const CLEAN: PlantedImport[] = [
  { from: 'harness/evidence/evidence-log.ts', to: 'harness/core/verdict.ts' },
  { from: 'harness/profile/target-schema.ts', to: 'harness/evidence/evidence-log.ts' },
  { from: 'harness/protocols/transport/channel.ts', to: 'harness/core/deadline.ts' },
  { from: 'harness/protocols/capabilities/auth-surface.ts', to: 'harness/protocols/transport/channel.ts', typeOnly: true },
  { from: 'harness/protocols/protocol.ts', to: 'harness/protocols/capabilities/auth-surface.ts', typeOnly: true },
  { from: 'harness/protocols/mqtt/mqtt-channel.ts', to: 'harness/protocols/transport/channel.ts' },
  { from: 'harness/protocols/mqtt/index.ts', to: 'harness/protocols/mqtt/mqtt-channel.ts' },
  { from: 'harness/protocols/mqtt/index.ts', to: 'harness/protocols/protocol.ts', typeOnly: true },
  { from: 'harness/protocols/modbus/index.ts', to: 'harness/protocols/modbus/modbus-channel.ts' },
  // the field monitor is a Modbus client: the one allowed cross-protocol import
  { from: 'harness/protocols/monitor/monitor-channel.ts', to: 'harness/protocols/modbus/modbus-channel.ts' },
  { from: 'harness/protocols/registry.ts', to: 'harness/protocols/mqtt/index.ts' },
  { from: 'harness/protocols/registry.ts', to: 'harness/protocols/modbus/index.ts' },
  { from: 'harness/protocols/registry.ts', to: 'harness/profile/target-schema.ts' },
  { from: 'harness/oracles/lockout-walk.ts', to: 'harness/protocols/capabilities/auth-surface.ts', typeOnly: true },
  { from: 'harness/monitor/sampler.ts', to: 'harness/protocols/monitor/monitor-channel.ts' },
  { from: 'harness/container/container-target.ts', to: 'harness/profile/target-schema.ts' },
  { from: 'harness/faults/fault-session.ts', to: 'harness/monitor/sampler.ts' },
  { from: 'harness/runner/scenario-context.ts', to: 'harness/protocols/registry.ts' },
  { from: 'harness/runner/scenario.ts', to: 'harness/runner/scenario-context.ts' },
  { from: 'harness/runner/run-target.ts', to: 'harness/container/container-target.ts' },
  { from: 'scenarios/lockout.scenario.ts', to: 'harness/runner/scenario.ts' },
  { from: 'scenarios/lockout.scenario.ts', to: 'harness/runner/scenario-definition.ts', typeOnly: true },
  { from: 'scenarios/lockout.scenario.ts', to: 'harness/oracles/lockout-walk.ts' },
  { from: 'scenarios/lockout.scenario.ts', to: 'harness/protocols/registry.ts' },
  { from: 'scenarios/lockout.scenario.ts', to: 'harness/protocols/capabilities/auth-surface.ts', typeOnly: true },
  { from: 'scenarios/storm.scenario.ts', to: 'harness/faults/fault-session.ts' },
  { from: 'scenarios/catalog.ts', to: 'scenarios/lockout.scenario.ts' },
  // reports: core, evidence, protocols (decoders) and runner types only
  { from: 'reports/runs/render-run.ts', to: 'harness/evidence/evidence-log.ts' },
  { from: 'reports/runs/render-run.ts', to: 'harness/protocols/mqtt/mqtt-decoder.ts' },
  { from: 'reports/runs/render-run.ts', to: 'harness/runner/run-record.ts', typeOnly: true },
  { from: 'reports/html/html-report.ts', to: 'reports/runs/load-run.ts' },
  { from: 'harness/cli/main.ts', to: 'harness/runner/run-target.ts' },
  { from: 'harness/cli/main.ts', to: 'scenarios/catalog.ts' },
  { from: 'harness/cli/main.ts', to: 'reports/runs/render-run.ts' },
  { from: 'harness/cli/main.ts', to: 'harness/demo/run-demo.ts' },
  { from: 'harness/demo/run-demo.ts', to: 'simulators/gateway/gateway.ts' },
  { from: 'simulators/gateway/gateway.ts', to: 'simulators/gateway/modbus-server.ts' },
  { from: 'bin/hil.ts', to: 'harness/cli/main.ts' },
];

/** Each planted import with the rule that must report it. */
const PLANTED: (PlantedImport & { rule: string })[] = [
  { rule: 'upward-from-core', from: 'harness/core/x.ts', to: 'harness/runner/y.ts' },
  // type-only imports count: an oracle may not even name the ScenarioContext type
  { rule: 'upward-from-oracles-monitor-container', from: 'harness/oracles/range-probe.ts', to: 'harness/runner/scenario-context.ts', typeOnly: true },
  { rule: 'upward-from-protocols', from: 'harness/protocols/mqtt/alert-watch.ts', to: 'harness/oracles/lockout-walk.ts' },
  { rule: 'upward-from-runner', from: 'harness/runner/z.ts', to: 'reports/runs/render-run.ts' },
  { rule: 'upward-from-runner', from: 'harness/runner/scenario-host.ts', to: 'scenarios/catalog.ts' },
  { rule: 'upward-from-scenarios', from: 'scenarios/lockout.scenario.ts', to: 'reports/html/html-report.ts' },
  { rule: 'upward-from-reports', from: 'reports/html/evidence-excerpt.ts', to: 'scenarios/storm.scenario.ts' },
  { rule: 'upward-from-reports', from: 'reports/runs/diff-runs.ts', to: 'harness/cli/verdict-table.ts' },
  { rule: 'harness-folder-on-the-ladder', from: 'harness/gadgets/gadget.ts', to: 'harness/core/verdict.ts' },
  { rule: 'reports-above-run-record-only', from: 'reports/runs/render-run.ts', to: 'harness/faults/fault-session.ts' },
  { rule: 'reports-use-runner-types-only', from: 'reports/runs/render-run.ts', to: 'harness/runner/run-target.ts' },
  { rule: 'scenarios-use-protocol-capabilities', from: 'scenarios/a.scenario.ts', to: 'harness/protocols/mqtt/mqtt-channel.ts' },
  { rule: 'scenarios-use-protocol-capabilities', from: 'scenarios/a.scenario.ts', to: 'harness/protocols/transport/channel.ts', typeOnly: true },
  { rule: 'scenarios-use-runner-api-only', from: 'scenarios/b.scenario.ts', to: 'harness/runner/scenario-executor.ts' },
  { rule: 'protocol-folders-independent', from: 'harness/protocols/mqtt/malformed-mqtt.ts', to: 'harness/protocols/modbus/malformed-modbus.ts' },
  { rule: 'monitor-protocol-uses-modbus-only', from: 'harness/protocols/monitor/field-watch.ts', to: 'harness/protocols/mqtt/mqtt-channel.ts' },
  { rule: 'protocol-folder-not-to-aggregates', from: 'harness/protocols/mqtt/mqtt-auth.ts', to: 'harness/protocols/registry.ts' },
  { rule: 'shared-protocol-parts-know-no-protocol', from: 'harness/protocols/transport/tapped-socket.ts', to: 'harness/protocols/mqtt/mqtt-channel.ts' },
  { rule: 'simulators-only-from-entry-points-and-tests', from: 'harness/runner/run-environment.ts', to: 'simulators/gateway/gateway.ts' },
  { rule: 'simulators-independent-of-harness', from: 'simulators/gateway/modbus-server.ts', to: 'harness/protocols/modbus/modbus-codec.ts' },
  { rule: 'product-not-to-test-or-bench', from: 'harness/core/deadline.ts', to: 'test/support/fixture.ts' },
  { rule: 'product-not-to-test-or-bench', from: 'scenarios/storm.scenario.ts', to: 'bench/stats.ts' },
];

const key = (v: Violation) => `${v.rule}: ${v.from} -> ${v.to}`;

describe('layer rules (.dependency-cruiser.cjs)', () => {
  test('a tree that keeps the layer order passes', async () => {
    expect(await cruiseTree(CLEAN)).toEqual([]);
  }, 60_000);

  test('every planted violation is reported by its rule, and nothing else is', async () => {
    const found = await cruiseTree([...CLEAN, ...PLANTED]);
    expect(found.map(key).sort()).toEqual(PLANTED.map(key).sort());
  }, 60_000);

  test('an import cycle is reported, also when one direction is type-only', async () => {
    const found = await cruiseTree([
      ...CLEAN,
      { from: 'harness/runner/scenario-definition.ts', to: 'harness/runner/scenario-context.ts', typeOnly: true },
      { from: 'harness/runner/scenario-context.ts', to: 'harness/runner/scenario-definition.ts' },
    ]);
    expect(found.map((v) => v.rule)).toEqual(['no-circular']);
    expect([found[0]!.from, found[0]!.to].sort()).toEqual(['harness/runner/scenario-context.ts', 'harness/runner/scenario-definition.ts']);
  }, 60_000);

  test('a relative import the cruiser cannot resolve is reported, not silently skipped', async () => {
    const found = await cruiseTree([...CLEAN, { from: 'harness/core/measurement.ts', to: 'harness/core/missing.ts', absent: true }]);
    expect(found).toEqual([{ rule: 'no-unresolvable-relative', from: 'harness/core/measurement.ts', to: './missing.js' }]);
  }, 60_000);
});
