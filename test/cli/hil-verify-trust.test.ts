import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compiledTreeFresh } from '../../bin/compiled-tree.js';
import { ReportSchema } from '../../harness/core/result-schema.js';
import { startSimInBlock, type SimInBlock } from '../../harness/demo/sim-in-block.js';
import { sha256Hex } from '../../harness/evidence/evidence-log.js';
import { GENESIS } from '../../harness/evidence/evidence-record.js';
import { loadLabKey } from '../../reports/signing/lab-key.js';
import { writeSignedManifest } from '../../reports/signing/manifest.js';
import { needParts } from '../support/real-parts.js';
import { cliEnv, hil } from './cli-process.js';

const parts = await needParts('socat');
const targets = join(import.meta.dirname, '../../targets');
const SCENARIO = 'port-closure';
const VERIFY = { ok: 0, failed: 1, untrusted: 3, partial: 4 };

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `hil-trust-${label}-`));
const copyRun = (src: string, label: string) => {
  const d = join(tmp(label), 'run');
  cpSync(src, d, { recursive: true });
  return d;
};
const readReport = (dir: string) => ReportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
/** A key of someone else's, and its public half, as `hil key export --out` writes it. */
async function otherKey(env: NodeJS.ProcessEnv): Promise<{ key: string; pub: string; fingerprint: string }> {
  const d = tmp('key');
  const key = join(d, 'other.pem');
  writeFileSync(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const pub = join(d, 'other.pub.pem');
  const r = await hil(['key', 'export', '--key', key, '--out', pub], env);
  expect(r.code, r.stderr).toBe(0);
  const fingerprint = /fingerprint \(SHA-256 of the SPKI DER\): ([0-9a-f]{64})/.exec(r.stdout)?.[1];
  expect(fingerprint).toBeDefined();
  expect(r.stdout).toContain('-----BEGIN PUBLIC KEY-----');
  return { key, pub, fingerprint: fingerprint! };
}

describe.skipIf(parts.skip)('hil verify: trusted signers, verdicts bound to the evidence, sealed runs (real runs of the weak simulator)', () => {
  let sim: SimInBlock;
  let env: NodeJS.ProcessEnv;
  let runA: string;
  let runB: string;

  beforeAll(async () => {
    parts.assert();
    sim = await startSimInBlock({ profile: 'weak', opcua: false });
    env = cliEnv(sim.targetEnv);
    for (const label of ['a', 'b']) {
      const out = join(tmp(label), 'run');
      const r = await hil(['run', '--target', join(targets, 'sim-weak.yaml'), '--out', out, '--scenario', SCENARIO], env);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      if (label === 'a') runA = out;
      else runB = out;
    }
  }, 180_000);

  afterAll(async () => {
    await sim?.sim.stop();
  });

  test('a complete run is sealed, its manifest names run, evidence head and count, and it verifies against the lab key', async () => {
    const lines = readFileSync(join(runA, 'evidence.jsonl'), 'utf8').trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { seq: number; prev: string; runId: string; attrs: { seal: { records: number; headHash: string; runId: string; endedAt: string } } };
    expect(last.attrs.seal).toMatchObject({ records: last.seq, headHash: last.prev, runId: last.runId });
    const manifest = JSON.parse(readFileSync(join(runA, 'manifest.json'), 'utf8')) as { runId: string; evidence: { records: number; headHash: string } };
    expect(manifest.runId).toBe(last.runId);
    expect(manifest.evidence).toEqual({ records: lines.length, headHash: sha256Hex(lines.at(-1)!) });
    const report = readReport(runA);
    expect(report.run.partial).toBeUndefined();
    expect(report.run.harnessVersion).not.toBe('unknown');
    // Which tree of the harness ran is part of the provenance (the compiled one whenever it is fresh, as in CI).
    expect(report.run.harnessTree).toMatch(compiledTreeFresh() ? /^compiled \(\.build-\d+-\d+\)$/ : /^(compiled \(\.build-\d+-\d+\)|sources \(tsx\))$/);
    const v = await hil(['verify', runA], env);
    expect(v.code, v.stdout + v.stderr).toBe(VERIFY.ok);
    expect(v.stdout).toMatch(/^OK .*trusted: lab key.*chained and sealed, verdicts match the evidence/m);
  });

  test('re-signed with another key: untrusted signer, its own exit code, the fingerprint named; trusted once the checker says so', async () => {
    const dir = copyRun(runA, 'resigned');
    const other = await otherKey(env);
    const r = await hil(['report', dir, '--key', other.key], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const v = await hil(['verify', dir], env);
    expect(v.code, v.stdout).toBe(VERIFY.untrusted);
    expect(v.stdout).toContain(`UNTRUSTED ${dir}`);
    expect(v.stdout).toContain(`signed by key ${other.fingerprint}`);
    // The checker decides whom to trust: --pubkey, HIL_TRUSTED_KEYS or the trust directory.
    expect((await hil(['verify', dir, '--pubkey', other.pub], env)).code).toBe(VERIFY.ok);
    expect((await hil(['verify', dir], { ...env, HIL_TRUSTED_KEYS: other.pub })).code).toBe(VERIFY.ok);
    const cfg = tmp('cfg');
    cpSync(other.pub, join(cfg, 'trusted', 'other.pem'));
    // A checker's own machine: its trust directory holds the lab's published key, no lab key of its own.
    const checker = await hil(['verify', dir], { ...env, HIL_CONFIG_DIR: cfg });
    expect(checker.code, checker.stdout).toBe(VERIFY.ok);
    expect(checker.stdout).toContain('trust directory');
  });

  test('a verdict flipped in report.json: hil report renders the evidence verdict again, naming the scenario; a flipped report signed without re-rendering fails verify', async () => {
    const dir = copyRun(runA, 'flipped');
    const path = join(dir, 'report.json');
    const flipped = readReport(dir);
    for (const r of flipped.results) (r.verdict = 'PASS'), (r.reason = 'all good');
    flipped.summary.FAIL = 0;
    flipped.summary.PASS = flipped.results.length;
    flipped.summary.overall = 'PASS';
    writeFileSync(path, `${JSON.stringify(flipped, null, 2)}\n`);
    const r = await hil(['report', dir], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`report.json said PASS for scenario ${SCENARIO}; the evidence records FAIL`);
    expect(readReport(dir).results.find((x) => x.scenarioId === SCENARIO)?.verdict).toBe('FAIL');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(new RegExp(`\\| ${SCENARIO} \\| \\S+ FAIL \\|`));
    expect((await hil(['verify', dir], env)).code).toBe(VERIFY.ok);

    // The same edit, signed with the lab's own key without going through hil report.
    writeFileSync(path, `${JSON.stringify(flipped, null, 2)}\n`);
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, readFileSync(summary, 'utf8').replace(/❌ FAIL/g, '✅ PASS'));
    writeSignedManifest(dir, flipped.run.id, loadLabKey(undefined, env));
    const v = await hil(['verify', dir], env);
    expect(v.code, v.stdout).toBe(VERIFY.failed);
    expect(v.stdout).toContain(`report.json: scenario ${SCENARIO} is PASS here, but the evidence records FAIL`);
    expect(v.stdout).toContain(`summary.md: scenario ${SCENARIO} is PASS here, but the evidence records FAIL`);
  });

  test('evidence cut and report.json deleted, then hil report: PARTIAL everywhere, and verify says where it ends', async () => {
    const dir = copyRun(runA, 'cut');
    const ev = join(dir, 'evidence.jsonl');
    const lines = readFileSync(ev, 'utf8').trimEnd().split('\n');
    const kept = lines.slice(0, Math.floor(lines.length * 0.75));
    writeFileSync(ev, kept.map((l) => `${l}\n`).join(''));
    rmSync(join(dir, 'report.json'));
    const lastSeq = (JSON.parse(kept.at(-1)!) as { seq: number }).seq;
    const r = await hil(['report', dir], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`PARTIAL run: the evidence has no seal and ends at seq ${lastSeq}`);
    const report = readReport(dir);
    expect(report.run.partial).toBe(true);
    // Provenance recorded at run start survives the cut.
    expect(report.run.harnessVersion).not.toBe('unknown');
    expect(report.run.host.hostname).not.toBe('unknown');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8').split('\n')[0]).toContain(`PARTIAL RUN: the evidence has no seal and ends at seq ${lastSeq}`);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.indexOf('PARTIAL RUN')).toBeGreaterThan(-1);
    expect(html.indexOf('PARTIAL RUN')).toBeLessThan(html.indexOf('<h1>'));
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<property name="run.partial" value="true"/>');
    const v = await hil(['verify', dir], env);
    expect(v.code, v.stdout).toBe(VERIFY.partial);
    expect(v.stdout).toContain(`partial run, ends at seq ${lastSeq}`);
  });

  test("another run's manifest is named as such", async () => {
    const dir = copyRun(runA, 'swapped');
    for (const f of ['manifest.json', 'manifest.sig']) cpSync(join(runB, f), join(dir, f));
    const other = readReport(runB).run.id;
    const v = await hil(['verify', dir], env);
    expect(v.code, v.stdout).toBe(VERIFY.failed);
    expect(v.stdout).toMatch(new RegExp(`^FAILED .*manifest\\.json: manifest of run ${other}, not of this run \\(${readReport(runA).run.id}\\)`, 'm'));
  });

  test('the run as an in-toto attestation: DSSE envelope over a Statement of the run files; hil verify accepts it alone, and not altered', async () => {
    const dir = copyRun(runA, 'intoto');
    const text = readFileSync(join(dir, 'run.intoto.jsonl'), 'utf8');
    const envelope = JSON.parse(text) as { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] };
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      _type: string; predicateType: string; subject: { name: string; digest: { sha256: string } }[];
      predicate: { runId: string; verdicts: Record<string, string>; partial: boolean };
    };
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    const ev = statement.subject.find((x) => x.name === 'evidence.jsonl');
    expect(ev?.digest.sha256).toBe(sha256Hex(readFileSync(join(dir, 'evidence.jsonl'))));
    expect(statement.subject.map((x) => x.name)).toEqual(expect.arrayContaining(['report.json', 'junit.xml', 'report.html', 'summary.md', 'traffic.pcapng']));
    expect(statement.predicate).toMatchObject({ runId: readReport(dir).run.id, verdicts: { [SCENARIO]: 'FAIL' }, partial: false });
    expect(envelope.signatures[0]!.keyid).toBe(loadLabKey(undefined, env).fingerprint);

    // The attestation alone is enough for hil verify.
    for (const f of ['manifest.json', 'manifest.sig']) rmSync(join(dir, f));
    const v = await hil(['verify', dir], env);
    expect(v.code, v.stdout).toBe(VERIFY.ok);
    expect(v.stdout).toContain('files match run.intoto.jsonl');
    // A file the attestation covers changed, or the statement altered: named.
    const summary = join(dir, 'summary.md');
    const orig = readFileSync(summary);
    writeFileSync(summary, Buffer.concat([orig, Buffer.from(' ')]));
    expect((await hil(['verify', dir], env)).stdout).toMatch(/^FAILED .*summary\.md: SHA-256 differs/m);
    writeFileSync(summary, orig);
    const altered = { ...statement, predicate: { ...statement.predicate, verdicts: { [SCENARIO]: 'PASS' } } };
    writeFileSync(join(dir, 'run.intoto.jsonl'), `${JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(altered)).toString('base64') })}\n`);
    const bad = await hil(['verify', dir], env);
    expect(bad.code, bad.stdout).toBe(VERIFY.failed);
    expect(bad.stdout).toMatch(/^FAILED .*run\.intoto\.jsonl: DSSE signature does not verify/m);
  });

  test('a fully forged run (FAIL → PASS in the evidence, chain and seal recomputed, signed with a new key) is an untrusted signer', async () => {
    const dir = copyRun(runA, 'forged');
    const ev = join(dir, 'evidence.jsonl');
    let prev = GENESIS;
    const forged = readFileSync(ev, 'utf8').trimEnd().split('\n').map((line) => {
      const rec = JSON.parse(line.replace(/"FAIL"/g, '"PASS"')) as { seq: number; prev: string; attrs?: { seal?: { records: number; headHash: string } } };
      rec.prev = prev;
      if (rec.attrs?.seal) rec.attrs.seal = { ...rec.attrs.seal, records: rec.seq, headHash: prev };
      const out = JSON.stringify(rec);
      prev = sha256Hex(out);
      return out;
    });
    writeFileSync(ev, forged.map((l) => `${l}\n`).join(''));
    rmSync(join(dir, 'report.json'));
    const attacker = await otherKey(env);
    expect((await hil(['report', dir, '--key', attacker.key], env)).code).toBe(0);
    expect(readReport(dir).summary.overall).toBe('PASS');
    const v = await hil(['verify', dir], env);
    expect(v.code, v.stdout).toBe(VERIFY.untrusted);
    expect(v.stdout).toContain(`signed by key ${attacker.fingerprint}, not by the trusted key`);
    const lab = join(tmp('pub'), 'lab.pub.pem');
    writeFileSync(lab, loadLabKey(undefined, env).publicKeyPem);
    expect((await hil(['verify', dir, '--pubkey', lab], env)).code).toBe(VERIFY.untrusted);
  });
});
