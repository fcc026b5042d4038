import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CheckId, loadFromExports, runDoctor } from '../../src/doctor/index.js';
import { FAILURE_MODES } from '../helpers/failure-modes.js';
import { DEFAULT_SUBJECT, type Encoding, loadCases, materialize, NOW } from './harness.js';

const ALL: CheckId[] = [
  'oidc-provider',
  'service-account',
  'pod-mutation',
  'trust-policy',
  'token',
  'permissions',
  'imds',
  'credential-precedence',
];

const cases = loadCases();

describe('doctor: the base export folder is healthy', () => {
  for (const enc of ['cli', 'api', 'json-string'] as Encoding[]) {
    it(`every check passes (${enc} encoding)`, async () => {
      const tmp = await materialize(
        { name: 'base', description: '', expect: { fail: 'token', evidence: [] } },
        enc,
      );
      try {
        const snap = loadFromExports(tmp.dir);
        assert.deepEqual(snap.warnings, []);
        const report = await runDoctor(snap, DEFAULT_SUBJECT, { now: () => NOW });
        for (const c of report.checks) assert.equal(c.status, 'pass', `${c.id}: ${c.evidence.join(' | ')}`);
        assert.equal(report.ok, true);
      } finally {
        tmp.cleanup();
      }
    });
  }
});

describe('doctor: one fixture per failure mode', () => {
  it('covers the fifteen failure modes of issue 9', () => {
    const names = new Set(cases.map((c) => c.name));
    for (const n of FAILURE_MODES) {
      assert.ok(names.has(n), n);
    }
  });

  for (const c of cases) {
    for (const enc of ['cli', 'api', 'json-string'] as Encoding[]) {
      it(`${c.name} (${enc}): ${c.description}`, async () => {
        const tmp = await materialize(c, enc);
        try {
          const snap = loadFromExports(tmp.dir);
          const report = await runDoctor(snap, { ...DEFAULT_SUBJECT, ...c.subject }, { now: () => NOW });
          const byId = new Map(report.checks.map((x) => [x.id, x]));
          const failing = byId.get(c.expect.fail)!;
          const show = (id: CheckId) =>
            `${id}: ${byId.get(id)?.status} ${byId.get(id)?.evidence.join(' | ')}`;
          assert.equal(failing.status, 'fail', show(c.expect.fail));
          for (const re of c.expect.evidence) {
            assert.ok(
              failing.evidence.some((e) => new RegExp(re).test(e)),
              `evidence /${re}/ not in:\n  ${failing.evidence.join('\n  ')}`,
            );
          }
          if (c.expect.fix) {
            const fix = [failing.fix?.summary, failing.fix?.command, failing.fix?.policyDiff]
              .filter(Boolean)
              .join('\n');
            assert.match(fix, new RegExp(c.expect.fix), `fix:\n${fix}`);
          }
          for (const id of ALL) {
            if (id === c.expect.fail) continue;
            const want = c.expect.skip?.includes(id) ? 'skip' : c.expect.warn?.includes(id) ? 'warn' : 'pass';
            assert.equal(byId.get(id)?.status, want, show(id));
          }
          assert.equal(report.ok, false);
        } finally {
          tmp.cleanup();
        }
      });
    }
  }
});
