import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/index.js';
import { runCli } from '../helpers/cli.js';
import { DEFAULT_SUBJECT, loadCases, materialize, POD } from './harness.js';

const AT = '2025-06-01T12:00:00Z';

async function cli(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        f(String(chunk));
        cb();
      },
    });
  const code = await main(argv, {
    env: { NO_COLOR: '1' },
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    cwd,
  });
  return { code, stdout, stderr };
}

const subjectArgs = [
  '--pod',
  POD,
  '-n',
  'shop',
  '--action',
  DEFAULT_SUBJECT.action!,
  '--resource',
  DEFAULT_SUBJECT.resource!,
];

describe('irsakit doctor --from (every failure mode through the CLI)', () => {
  for (const c of loadCases()) {
    it(`${c.name}: exit 1, the ${c.expect.fail} check fails with its evidence`, async () => {
      const tmp = await materialize(c, 'cli');
      try {
        const args = c.subject?.serviceAccount
          ? ['--service-account', c.subject.serviceAccount, '-n', 'shop']
          : subjectArgs;
        const r = await cli(['doctor', '--from', tmp.dir, ...args, '--at', AT, '--json'], tmp.dir);
        assert.equal(r.code, 1, r.stderr);
        const report = JSON.parse(r.stdout) as {
          checks: { id: string; status: string; evidence: string[] }[];
          ok: boolean;
        };
        const failed = report.checks.filter((x) => x.status === 'fail').map((x) => x.id);
        assert.deepEqual(failed, [c.expect.fail]);
        const ev = report.checks.find((x) => x.id === c.expect.fail)!.evidence;
        for (const re of c.expect.evidence)
          assert.ok(
            ev.some((e) => new RegExp(re).test(e)),
            `/${re}/ in ${ev.join(' | ')}`,
          );
      } finally {
        tmp.cleanup();
      }
    });
  }

  it('prints a checklist with marks, evidence and the fix; exit 0 when healthy', async () => {
    const healthy = await materialize({
      name: 'base',
      description: '',
      expect: { fail: 'token', evidence: [] },
    });
    const broken = await materialize(loadCases().find((c) => c.name === 'sub-mismatch')!);
    try {
      const ok = await cli(['doctor', '--from', healthy.dir, ...subjectArgs, '--at', AT], healthy.dir);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /^✓ 1\. Issuer ↔ IAM OIDC provider/m);
      assert.match(ok.stdout, /^✓ 8\. Credential precedence/m);
      assert.match(ok.stdout, /no check failed/);
      const bad = await cli(['doctor', '--from', broken.dir, ...subjectArgs, '--at', AT], broken.dir);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /^✗ 4\. Trust policy: .* \[fail\]$/m);
      assert.match(bad.stdout, /fix: correct statement 0 of the trust policy/);
      assert.match(bad.stdout, /\$ aws iam update-assume-role-policy --role-name app-role/);
      assert.match(bad.stdout, /^ {7}- .*"system:serviceaccount:default:app"/m);
      assert.match(bad.stdout, /^ {7}\+ .*"system:serviceaccount:shop:app"/m);
    } finally {
      healthy.cleanup();
      broken.cleanup();
    }
  });

  it('checks a ServiceAccount without a pod, with the claims its tokens carry', async () => {
    const tmp = await materialize(loadCases().find((c) => c.name === 'aud-condition')!);
    try {
      const r = await cli(
        ['doctor', '--from', tmp.dir, '--service-account', 'app', '-n', 'shop', '--json'],
        tmp.dir,
      );
      assert.equal(r.code, 1);
      const report = JSON.parse(r.stdout) as { checks: { id: string; status: string; evidence: string[] }[] };
      const st = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
      assert.deepEqual(st, {
        'oidc-provider': 'pass',
        'service-account': 'pass',
        'pod-mutation': 'skip',
        'trust-policy': 'fail',
        token: 'skip',
        permissions: 'skip',
        imds: 'skip',
        'credential-precedence': 'skip',
      });
      assert.match(
        report.checks[3]!.evidence[0]!,
        /^claims a token for this ServiceAccount carries: .*sub system:serviceaccount:shop:app/,
      );
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses ambiguous subjects and unknown pods without a stack trace', async () => {
    const tmp = await materialize({ name: 'base', description: '', expect: { fail: 'token', evidence: [] } });
    try {
      const both = await cli(
        ['doctor', '--from', tmp.dir, '--pod', POD, '--service-account', 'app'],
        tmp.dir,
      );
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give exactly one of --pod and --service-account/);
      const missing = await cli(['doctor', '--from', tmp.dir, '--pod', POD], tmp.dir);
      assert.equal(missing.code, 1);
      assert.match(
        missing.stderr,
        /pod default\/app-7d9f8c6b5-x2kqz is not in exports .* \(found in namespace shop: pass -n\) \(ERR_NOT_FOUND\)/,
      );
    } finally {
      tmp.cleanup();
    }
  });

  it('runs as a real child process', async () => {
    const c = loadCases().find((x) => x.name === 'imds-leak')!;
    const tmp = await materialize(c);
    try {
      const r = await runCli(['doctor', '--from', tmp.dir, ...subjectArgs, '--at', AT], {
        cwd: tmp.dir,
        env: { NO_COLOR: '1' },
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /✗ 7\. IMDS exposure/);
      assert.match(
        r.stdout,
        /\$ aws ec2 modify-instance-metadata-options --instance-id i-0a1b2c3d4e5f60718 --http-tokens required/,
      );
    } finally {
      tmp.cleanup();
    }
  });
});

describe('irsakit explain --from', () => {
  it('shows every layer, the deciding one, the near miss and AWS sentence for an implicit deny', async () => {
    const tmp = await materialize(loadCases().find((c) => c.name === 'bucket-vs-object-arn')!);
    try {
      const args = [
        'explain',
        '--from',
        tmp.dir,
        '--role',
        'arn:aws:iam::111122223333:role/app-role',
        '--action',
        's3:GetObject',
      ];
      const j = await cli(
        [...args, '--resource', 'arn:aws:s3:::shop-data/reports/q1.csv', '--json'],
        tmp.dir,
      );
      assert.equal(j.code, 1, j.stderr);
      const r = JSON.parse(j.stdout);
      assert.equal(r.decision.decision, 'ImplicitDeny');
      assert.deepEqual(
        r.layers.map((l: { layer: string; decided: boolean }) => [l.layer, l.decided]),
        [
          ['rcp', false],
          ['scp', false],
          ['resource', false],
          ['identity', true],
          ['boundary', false],
          ['session', false],
        ],
      );
      assert.match(
        r.message,
        /^User: arn:aws:sts::111122223333:assumed-role\/app-role\/irsakit-doctor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::shop-data\/reports\/q1\.csv" because no identity-based policy allows the s3:GetObject action$/,
      );
      assert.equal(r.decision.nearMisses[0].field, 'Resource');
      const t = await cli([...args, '--resource', 'arn:aws:s3:::shop-data/reports/q1.csv'], tmp.dir);
      assert.match(t.stdout, /→ identity +app-role\/shop-data-read \(inline\).*← decided/);
      assert.match(
        t.stdout,
        /scp +DenyLeaveOrganization \(SCP\), FullAWSAccess \(SCP\): 1 matching statement/,
      );
      assert.match(t.stdout, /resource +bucket policy of shop-data/);
      assert.match(t.stdout, /is the bucket; `s3:GetObject` needs `arn:aws:s3:::shop-data\/\*`/);
    } finally {
      tmp.cleanup();
    }
  });

  it('explains an allow for a pod, with the deciding statement', async () => {
    const tmp = await materialize({ name: 'base', description: '', expect: { fail: 'token', evidence: [] } });
    try {
      const r = await cli(
        [
          'explain',
          '--from',
          tmp.dir,
          '--pod',
          POD,
          '-n',
          'shop',
          '--action',
          's3:ListBucket',
          '--resource',
          'arn:aws:s3:::shop-data',
          '--json',
        ],
        tmp.dir,
      );
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.decision.decision, 'Allow');
      assert.ok(
        j.decision.matchedStatements.some(
          (m: { sid?: string; policyKind: string }) => m.sid === 'ListBucket' && m.policyKind === 'identity',
        ),
        JSON.stringify(j.decision.matchedStatements),
      );
    } finally {
      tmp.cleanup();
    }
  });
});
