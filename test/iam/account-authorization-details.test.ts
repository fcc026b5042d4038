import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, openDomain, s3ReadPolicy, webIdentityTrust } from './helpers.js';

const TRUST = webIdentityTrust('oidc.example.local/id/ABC');

describe('GetAccountAuthorizationDetails', () => {
  it("exports roles and policies in AWS's format", async () => {
    const d = openDomain();
    await d.call('CreateRole', {
      RoleName: 'app',
      AssumeRolePolicyDocument: TRUST,
      PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'a',
    });
    await d.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'inline', PolicyDocument: s3ReadPolicy });
    await d.call('CreatePolicy', { PolicyName: 'local', PolicyDocument: s3ReadPolicy });
    await d.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/local` });
    await d.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
    await d.call('CreateInstanceProfile', { InstanceProfileName: 'node' });
    await d.call('AddRoleToInstanceProfile', { InstanceProfileName: 'node', RoleName: 'app' });

    const out = await d.call('GetAccountAuthorizationDetails');
    assert.deepEqual(out.UserDetailList, []);
    assert.deepEqual(out.GroupDetailList, []);
    const [role] = out.RoleDetailList as Record<string, unknown>[];
    assert.equal(role?.RoleName, 'app');
    assert.equal(role?.AssumeRolePolicyDocument, encodeURIComponent(TRUST));
    assert.deepEqual(role?.RolePolicyList, [
      { PolicyName: 'inline', PolicyDocument: encodeURIComponent(s3ReadPolicy) },
    ]);
    assert.deepEqual(role?.AttachedManagedPolicies, [
      { PolicyName: 'local', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/local` },
      { PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' },
    ]);
    assert.deepEqual(role?.PermissionsBoundary, {
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
    });
    assert.deepEqual(role?.Tags, [{ Key: 'team', Value: 'a' }]);
    assert.equal(
      (role?.InstanceProfileList as Record<string, unknown>[] | undefined)?.[0]?.InstanceProfileName,
      'node',
    );

    const policies = out.Policies as Record<string, unknown>[];
    assert.deepEqual(
      policies.map((p) => p.PolicyName),
      ['local', 'AmazonS3FullAccess', 'AmazonS3ReadOnlyAccess'],
      'AWS managed policies appear when something in the account uses them',
    );
    const local = policies[0] as Record<string, unknown>;
    assert.deepEqual(local.PolicyVersionList, [
      {
        Document: encodeURIComponent(s3ReadPolicy),
        VersionId: 'v1',
        IsDefaultVersion: true,
        CreateDate: (local.PolicyVersionList as Record<string, unknown>[])[0]?.CreateDate,
      },
    ]);

    const onlyRoles = await d.call('GetAccountAuthorizationDetails', { Filter: ['Role'] });
    assert.equal((onlyRoles.RoleDetailList as unknown[]).length, 1);
    assert.deepEqual(onlyRoles.Policies, []);
  });
});
