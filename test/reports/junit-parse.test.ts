import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderRunDirectory } from '../../reports/runs/render-run.js';
import { buildFixtureRun } from './run-fixture.js';
import { assertTool, requireTool, tempRunDir, testEnv } from './external-tool.js';

/**
 * junit.xml read by a real, strict XML parser (Python's expat via ElementTree, as CI tools such as
 * junitparser and pytest-based uploaders do) and checked against the JUnit structure CI systems read.
 */
const HINT = 'python3 is part of every machine image';
const { skip } = requireTool('python3', HINT);

interface Case {
  name: string;
  classname: string;
  time: string;
  props: [string, string][];
  outcome: { tag: string; message?: string; type?: string } | null;
}
interface Parsed {
  root: string;
  suites: { name: string; attrs: Record<string, string>; props: [string, string][]; cases: Case[] }[];
}

const PY = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
def props(el):
    p = el.find('properties')
    return [] if p is None else [[x.get('name'), x.get('value')] for x in p.findall('property')]
out = {'root': root.tag, 'suites': []}
for s in root.findall('testsuite'):
    cases = []
    for c in s.findall('testcase'):
        o = None
        for tag in ('failure', 'error', 'skipped'):
            e = c.find(tag)
            if e is not None:
                o = {'tag': tag, 'message': e.get('message'), 'type': e.get('type')}
        cases.append({'name': c.get('name'), 'classname': c.get('classname'), 'time': c.get('time'), 'props': props(c), 'outcome': o})
    out['suites'].append({'name': s.get('name'), 'attrs': dict(s.attrib), 'props': props(s), 'cases': cases})
print(json.dumps(out))
`;

function parseJunit(path: string): Parsed {
  const r = spawnSync('python3', ['-c', PY, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`junit.xml does not parse: ${r.stderr}`);
  return JSON.parse(r.stdout) as Parsed;
}

describe.skipIf(skip)('junit.xml read by an XML parser', () => {
  let weak: Parsed;
  let killed: Parsed;

  beforeAll(async () => {
    assertTool('python3', HINT);
    const env = testEnv();
    const a = tempRunDir('junit-weak');
    await buildFixtureRun(a, { profile: 'weak' });
    renderRunDirectory(a, { env });
    weak = parseJunit(join(a, 'junit.xml'));
    const b = tempRunDir('junit-killed');
    await buildFixtureRun(b, { profile: 'hardened', killDuring: 'modbus-range' });
    renderRunDirectory(b, { env });
    killed = parseJunit(join(b, 'junit.xml'));
  });

  it('has testsuites > testsuite with counts and provenance properties', () => {
    expect(weak.root).toBe('testsuites');
    expect(weak.suites).toHaveLength(1);
    const s = weak.suites[0]!;
    expect(s.name).toBe('hil.sim-gateway');
    expect(s.attrs).toMatchObject({ tests: '5', failures: '4', errors: '0', skipped: '1' });
    const props = Object.fromEntries(s.props);
    expect(props).toMatchObject({ 'target.name': 'sim-gateway', 'target.firmware': '2.0.0', 'harness.version': '0.1.0', overall: 'FAIL' });
    expect(props['target.profileDigest']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has one testcase per scenario with verdict and requirement properties', () => {
    const cases = weak.suites[0]!.cases;
    expect(cases.map((c) => c.name)).toEqual(['lockout-console', 'port-allowlist', 'modbus-range', 'mqtt-acl', 'opcua-security']);
    for (const c of cases) {
      expect(c.classname).toBe('hil.sim-gateway');
      expect(Number(c.time)).toBeGreaterThanOrEqual(0);
    }
    const lockout = cases[0]!;
    expect(lockout.props).toContainEqual(['verdict', 'FAIL']);
    expect(lockout.props).toContainEqual(['requirement', 'IEC62443-4-2:CR1.11']);
    expect(lockout.props).toContainEqual(['requirement', 'EN303645:5.1-5']);
  });

  it('maps FAIL and INCONCLUSIVE to failure, NOT_APPLICABLE to skipped', () => {
    const by = Object.fromEntries(weak.suites[0]!.cases.map((c) => [c.name, c.outcome]));
    expect(by['lockout-console']).toMatchObject({ tag: 'failure', type: 'FAIL' });
    expect(by['mqtt-acl']).toMatchObject({ tag: 'failure', type: 'INCONCLUSIVE' });
    expect(by['opcua-security']).toMatchObject({ tag: 'skipped' });
    expect(by['opcua-security']!.message).toContain('NOT_APPLICABLE');
  });

  it('maps ERROR to error, NOT_RUN to skipped and PASS to no outcome element', () => {
    const by = Object.fromEntries(killed.suites[0]!.cases.map((c) => [c.name, c.outcome]));
    expect(by['lockout-console']).toBeNull();
    expect(by['modbus-range']).toMatchObject({ tag: 'error', type: 'ERROR' });
    expect(by['mqtt-acl']).toMatchObject({ tag: 'skipped' });
    expect(killed.suites[0]!.props).toContainEqual(['run.partial', 'true']);
  });
});
