import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from '../../src/cli/index.js';

const FIX = join(import.meta.dirname, 'fixtures');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        f(String(chunk));
        cb();
      },
    });
  const code = await main(argv, {
    stdout: sink((s) => {
      out += s;
    }),
    stderr: sink((s) => {
      err += s;
    }),
    stdin: new PassThrough(),
    env: {},
    cwd: FIX,
  });
  return { code, out, err };
}

describe('irsakit policy simulate', () => {
  test('--json prints decision, reason, AWS message and trace', async () => {
    const r = await cli(['policy', 'simulate', '--input', 'simulate-deny.json', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.decision, 'ImplicitDeny');
    assert.equal(j.reason, 'because no identity-based policy allows the s3:PutObject action');
    assert.equal(
      j.message,
      'User: arn:aws:sts::111122223333:assumed-role/app/session is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bucket/key" because no identity-based policy allows the s3:PutObject action',
    );
    assert.ok(Array.isArray(j.trace) && j.trace.length === 1);
    assert.equal(j.nearMisses[0].field, 'Action');
  });

  test('text output shows the policy with the near miss marked', async () => {
    const r = await cli(['policy', 'simulate', '--input', 'simulate-trust.json']);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^ImplicitDeny because no resource-based policy allows the sts:AssumeRoleWithWebIdentity action/,
    );
    assert.match(r.out, /── app-trust \(trust\) ──/);
    assert.match(r.out, /~ +\d+ │ +"Effect": "Allow"/);
    assert.match(
      r.out,
      /StringEquals `system:serviceaccount:default:app` but the token says `system:serviceaccount:prod:app`/,
    );
    assert.doesNotMatch(r.out, /\u001b\[/);
  });

  test('a malformed policy names the field, without a stack trace', async () => {
    const r = await cli(['policy', 'simulate', '--input', 'simulate-malformed-policy.json']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /identityPolicies\[0\]: MalformedPolicyDocument: Actions\/Conditions must be prefaced by a vendor, e\.g\., iam, sdb, ec2, etc\. \(line \d+, column \d+\) \(ERR_POLICY\)/,
    );
    assert.doesNotMatch(r.err, /\n\s+at /);
  });

  test('a malformed case names the field', async () => {
    const r = await cli(['policy', 'simulate', '--input', 'simulate-bad-context.json']);
    assert.equal(r.code, 1);
    assert.match(r.err, /request\.context\.x: must be a string or a list of strings \(ERR_INPUT\)/);
  });

  test('a missing file and missing flag are user errors', async () => {
    const r = await cli(['policy', 'simulate', '--input', 'nope.json']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--input nope\.json: ENOENT \(ERR_INPUT\)/);
    const u = await cli(['policy', 'simulate']);
    assert.equal(u.code, 2);
    assert.match(u.err, /--input is required/);
  });
});
