import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, openDomain, rejects, webIdentityTrust } from './helpers.js';

const TRUST = webIdentityTrust('oidc.example.local/id/ABC');
const ALLOW_GET = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::data/*"
    }
  ]
}`;
const DENY_SECRET = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::data/secret/*' }],
});

type Result = Record<string, unknown>;

describe('IAM policy simulator', () => {
  it("SimulatePrincipalPolicy evaluates the role's policies and reports the deciding statement with positions", async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await d.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'read', PolicyDocument: ALLOW_GET });
    await d.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'deny', PolicyDocument: DENY_SECRET });
    const out = await d.call('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/app`,
      ActionNames: ['s3:GetObject', 's3:PutObject'],
      ResourceArns: ['arn:aws:s3:::data/a', 'arn:aws:s3:::data/secret/b'],
    });
    const results = out.EvaluationResults as Result[];
    const decision = (a: string, r: string) =>
      results.find((x) => x.EvalActionName === a && x.EvalResourceName === r)?.EvalDecision;
    assert.equal(decision('s3:GetObject', 'arn:aws:s3:::data/a'), 'allowed');
    assert.equal(decision('s3:GetObject', 'arn:aws:s3:::data/secret/b'), 'explicitDeny');
    assert.equal(decision('s3:PutObject', 'arn:aws:s3:::data/a'), 'implicitDeny');
    const allowed = results.find((x) => x.EvalDecision === 'allowed');
    assert.deepEqual(allowed?.MatchedStatements, [
      {
        SourcePolicyId: 'read',
        SourcePolicyType: 'role',
        StartPosition: { Line: 4, Column: 5 },
        EndPosition: { Line: 8, Column: 6 },
      },
    ]);
    const denied = results.find((x) => x.EvalDecision === 'explicitDeny');
    assert.equal((denied?.MatchedStatements as Result[] | undefined)?.[0]?.SourcePolicyId, 'deny');
    assert.equal(out.IsTruncated, false);
  });

  it('SimulateCustomPolicy evaluates given policies with context entries and reports missing context keys', async () => {
    const d = openDomain();
    const conditional = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
        },
      ],
    });
    const run = (entries: Record<string, string>) =>
      d.call('SimulateCustomPolicy', {
        PolicyInputList: [conditional],
        ActionNames: ['s3:GetObject'],
        ...entries,
      });
    const missing = ((await run({})).EvaluationResults as Result[])[0];
    assert.equal(missing?.EvalDecision, 'implicitDeny');
    assert.deepEqual(missing?.MissingContextValues, ['aws:PrincipalTag/team']);
    const given = (
      (
        await run({
          'ContextEntries.member.1.ContextKeyName': 'aws:PrincipalTag/team',
          'ContextEntries.member.1.ContextKeyValues.member.1': 'blue',
          'ContextEntries.member.1.ContextKeyType': 'string',
        })
      ).EvaluationResults as Result[]
    )[0];
    assert.equal(given?.EvalDecision, 'allowed');
    assert.deepEqual(
      (given?.MatchedStatements as Result[] | undefined)?.[0]?.SourcePolicyId,
      'PolicyInputList.1',
    );
  });

  it('answers NoSuchEntity for an unknown role and InvalidInput for a malformed input policy', async () => {
    const d = openDomain();
    await rejects(
      d.call('SimulatePrincipalPolicy', {
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/nope`,
        ActionNames: ['s3:GetObject'],
      }),
      'NoSuchEntity',
      404,
      'The role with name nope cannot be found.',
    );
    await rejects(
      d.call('SimulateCustomPolicy', { PolicyInputList: ['{'], ActionNames: ['s3:GetObject'] }),
      'InvalidInput',
      400,
    );
    await rejects(d.call('SimulateCustomPolicy', { ActionNames: ['s3:GetObject'] }), 'ValidationError', 400);
  });
});
