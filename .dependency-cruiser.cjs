// Layer rules of the harness, enforced by `npm run lint` (dependency-cruiser) in .ci/run.
// Paths are relative to the directory depcruise runs in (the repository root).
//
// The ladder, lowest first: a module may import only from its own rung or lower ones.
//   core < evidence < profile < protocols < oracles, monitor, container < faults < runner
//   < scenarios | reports (siblings) < cli, demo < bin
// reports sit above the run record: they may use core/evidence/profile/protocols and runner
// *types* only. simulators are a separate world, reached only from cli/demo, test and bench.
// Type-only imports count everywhere, cycles included: a type dependency is still a design
// dependency, and the issue asks for the type-level cycles to be removed, not hidden.

/** One rung of the ladder: its folders (a path regex), its height and why it sits there. scenarios
 *  and reports share a rank: siblings, neither may import the other. */
const LADDER = [
  { name: 'core', rank: 0, path: '^harness/core/', why: 'verdicts, deadlines and result schemas: every other layer builds on them, so they know nothing above' },
  { name: 'evidence', rank: 1, path: '^harness/evidence/', why: 'the evidence log records what any layer did; it must not depend on who writes into it' },
  { name: 'profile', rank: 2, path: '^harness/profile/', why: 'the target profile is parsed before anything talks to a device; it knows no protocol code' },
  { name: 'protocols', rank: 3, path: '^harness/protocols/', why: 'protocols speak to the device and return data; judging and recording results happens above them' },
  { name: 'oracles-monitor-container', rank: 4, path: '^harness/(oracles|monitor|container)/', why: 'oracles and the field monitor return typed results; only the ScenarioContext (runner) records verdicts, so they must not reach it. The container target (start a target image from the profile) is used by the runner only' },
  { name: 'faults', rank: 5, path: '^harness/faults/', why: 'fault injection drives protocols and watches the monitor; it returns results to the scenario instead of recording them' },
  { name: 'runner', rank: 6, path: '^harness/runner/', why: 'the runner executes a scenario list it is given and returns a run record; the CLI, not the runner, picks scenarios and writes reports' },
  { name: 'scenarios', rank: 7, path: '^scenarios/', why: 'scenarios are declarations run by the runner; they never reach the CLI or the report writers' },
  { name: 'reports', rank: 7, path: '^reports/', why: 'reports render a finished run record; they never reach scenarios or the CLI that composes them' },
  { name: 'cli-demo', rank: 8, path: '^harness/(cli|demo)/', why: 'the CLI and the demo compose runner, scenarios, reports and simulators; only the bin entry point sits above them' },
  { name: 'bin', rank: 9, path: '^bin/', why: 'the executable entry point; nothing imports it' },
];

const upwardRules = LADDER.filter((rung) => rung.name !== 'bin').map((rung) => ({
  name: `upward-from-${rung.name}`,
  comment: `${rung.name} may import only its own layer or lower ones: ${rung.why}.`,
  severity: 'error',
  from: { path: rung.path },
  to: {
    path: LADDER.filter((other) => other.name !== rung.name && other.rank >= rung.rank).map((other) => other.path),
  },
}));

const PRODUCT = '^(harness|scenarios|reports|simulators|bin)/';
const PLACED_HARNESS_FOLDERS = '^harness/(core|evidence|profile|protocols|oracles|monitor|container|faults|runner|cli|demo)/';

module.exports = {
  forbidden: [
    ...upwardRules,
    {
      name: 'harness-folder-on-the-ladder',
      comment: 'Every folder under harness/ has a rung in .dependency-cruiser.cjs (LADDER); an unplaced folder would be checked by no layer rule.',
      severity: 'error',
      from: { path: '^harness/', pathNot: PLACED_HARNESS_FOLDERS },
      to: {},
    },
    {
      name: 'reports-above-run-record-only',
      comment: 'Reports render a run record: they may use core, evidence, profile and protocols (evidence decoders), not oracles, monitor, faults or the container target, which act on a device (runner: next rule; cli/demo: upward-from-reports).',
      severity: 'error',
      from: { path: '^reports/' },
      to: { path: '^harness/', pathNot: '^harness/(core|evidence|profile|protocols|runner|cli|demo)/' },
    },
    {
      name: 'reports-use-runner-types-only',
      comment: 'Reports may know the shape of the run record the runner returns (type-only imports), never runner code: rendering must work on a stored run without running anything.',
      severity: 'error',
      from: { path: '^reports/' },
      to: { path: '^harness/runner/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'scenarios-use-protocol-capabilities',
      comment: 'Scenarios ask the registry for capabilities (auth surface, point access, ...) and never bind to a concrete protocol, channel or transport, so a new protocol needs no scenario change.',
      severity: 'error',
      from: { path: '^scenarios/' },
      to: { path: '^harness/protocols/', pathNot: '^harness/protocols/(registry\\.ts|protocol\\.ts|capabilities/)' },
    },
    {
      name: 'scenarios-use-runner-api-only',
      comment: 'Scenarios see the runner only through scenario(), ScenarioDefinition and ScenarioContext; executor, sequencer and run environment are the runner\'s own business.',
      severity: 'error',
      from: { path: '^scenarios/' },
      to: { path: '^harness/runner/', pathNot: '^harness/runner/(scenario|scenario-context|scenario-definition)\\.ts$' },
    },
    {
      name: 'protocol-folders-independent',
      comment: 'One protocol, one folder: a protocol folder imports only itself, transport/ and capabilities/ (and protocol.ts), so a protocol can be added or removed as one folder. ($1 is the importing folder.)',
      severity: 'error',
      from: { path: '^harness/protocols/(?!transport/|capabilities/|monitor/)([^/]+)/' },
      to: { path: '^harness/protocols/[^/]+/', pathNot: '^harness/protocols/($1|transport|capabilities)/' },
    },
    {
      name: 'monitor-protocol-uses-modbus-only',
      comment: 'The field monitor is an independent Modbus TCP I/O module, so its folder may use the modbus folder; no other protocol.',
      severity: 'error',
      from: { path: '^harness/protocols/monitor/' },
      to: { path: '^harness/protocols/[^/]+/', pathNot: '^harness/protocols/(monitor|modbus|transport|capabilities)/' },
    },
    {
      name: 'protocol-folder-not-to-aggregates',
      comment: 'registry.ts and the other files at the root of harness/protocols/ aggregate the protocol folders; a folder importing them (except the ProtocolModule contract protocol.ts) would depend on every other protocol.',
      severity: 'error',
      from: { path: '^harness/protocols/(?!transport/|capabilities/)[^/]+/' },
      to: { path: '^harness/protocols/[^/]+$', pathNot: '^harness/protocols/protocol\\.ts$' },
    },
    {
      name: 'shared-protocol-parts-know-no-protocol',
      comment: 'transport/ and capabilities/ are shared by all protocols and sit beneath them; they must not know any protocol folder or the registry.',
      severity: 'error',
      from: { path: '^harness/protocols/(transport|capabilities)/' },
      to: { path: '^harness/protocols/', pathNot: '^harness/protocols/(transport|capabilities)/' },
    },
    {
      name: 'simulators-only-from-entry-points-and-tests',
      comment: 'The simulator stands in for a device; only hil sim/demo (harness/cli, harness/demo), tests and benchmarks start it. The harness proper must work against real hardware without it.',
      severity: 'error',
      from: { pathNot: '^(harness/(cli|demo)|simulators|test|bench)/' },
      to: { path: '^simulators/' },
    },
    {
      name: 'simulators-independent-of-harness',
      comment: 'The simulator must not share the harness\'s code (codecs, protocol logic): a bug shared by both sides would cancel out and the tests would pass against a wrong implementation.',
      severity: 'error',
      from: { path: '^simulators/' },
      to: { path: '^(harness|scenarios|reports|bin)/' },
    },
    {
      name: 'product-not-to-test-or-bench',
      comment: 'test/ and bench/ are never shipped or run in a lab; product code that imports them would break or change behaviour outside the test suite.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one unit that can be neither understood nor tested apart; type-only imports count too (none needs excluding).',
      severity: 'error',
      from: { path: PRODUCT },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable-relative',
      comment: 'A relative import the cruiser cannot resolve is invisible to every rule above, so it must not pass silently.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    // Third-party code is not ours to layer; its internals are not followed.
    doNotFollow: { path: 'node_modules' },
    // The compiled tree (bin/compiled-tree.js) is a generated copy of the sources, linted as sources;
    // bin/hil.js's import of it is neither followed nor required to resolve (it exists after a build).
    exclude: { path: '(^|/)\\.build(/|-|$)' },
    // Type-only imports are dependencies too (see the header).
    tsPreCompilationDeps: true,
    // NodeNext: imports name '.js' files that are '.ts' sources; the tsconfig tells the resolver.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
    },
  },
};
