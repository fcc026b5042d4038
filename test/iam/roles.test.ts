import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, context, openDomain, rejects, s3ReadPolicy, webIdentityTrust } from './helpers.js';

const HOST = 'oidc.example.local/id/ABC';
const TRUST = webIdentityTrust(HOST);

describe('IAM roles', () => {
  it('creates a role with an AROA id of 21 characters and returns the trust policy URL-encoded', async () => {
    const d = openDomain();
    const ctx = context();
    const out = await d.call(
      'CreateRole',
      {
        RoleName: 'app',
        AssumeRolePolicyDocument: TRUST,
        Path: '/irsa/',
        Description: 'demo',
        MaxSessionDuration: '7200',
      },
      ctx,
    );
    const role = out.Role as Record<string, unknown>;
    assert.match(String(role.RoleId), /^AROA[A-Z2-7]{17}$/);
    assert.equal(role.Arn, `arn:aws:iam::${ACCOUNT}:role/irsa/app`);
    assert.equal(role.Path, '/irsa/');
    assert.equal(role.AssumeRolePolicyDocument, encodeURIComponent(TRUST));
    assert.equal(role.MaxSessionDuration, 7200);
    assert.deepEqual(ctx.authorized, [['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/irsa/app`]]);
    const got = (await d.call('GetRole', { RoleName: 'APP' })).Role as Record<string, unknown>;
    assert.equal(got.RoleName, 'app', 'role names are unique case-insensitively');
    assert.equal(got.Description, 'demo');

    const info = d.iam.getRole(ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/irsa/app`);
    assert.equal(info?.roleName, 'app');
    assert.equal(info?.trustPolicyText, TRUST);
    assert.equal(info?.trustPolicy.kind, 'trust');
    assert.equal(info?.maxSessionDuration, 7200);
    assert.equal(d.iam.getRole(ACCOUNT, 'app')?.arn, info?.arn);
    assert.equal(
      d.iam.getRole(ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/app`),
      undefined,
      'the path is part of the ARN',
    );
    assert.equal(d.iam.getRole(ACCOUNT, 'app')?.trustPolicy, info?.trustPolicy, 'compiled once, then cached');
  });

  it('rejects duplicates, bad names, bad durations and malformed trust policies with AWS errors', async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await rejects(
      d.call('CreateRole', { RoleName: 'App', AssumeRolePolicyDocument: TRUST }),
      'EntityAlreadyExists',
      409,
      'Role with name App already exists.',
    );
    await rejects(
      d.call('CreateRole', {
        RoleName: 'bad name',
        AssumeRolePolicyDocument: TRUST,
        MaxSessionDuration: '100',
      }),
      'ValidationError',
      400,
      "2 validation errors detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    await rejects(
      d.call('CreateRole', { RoleName: 'x', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: '43201' }),
      'ValidationError',
      400,
      /Member must have value less than or equal to 43200/,
    );
    await rejects(
      d.call('CreateRole', { RoleName: 'x' }),
      'ValidationError',
      400,
      /Value null at 'assumeRolePolicyDocument'/,
    );
    await rejects(
      d.call('CreateRole', { RoleName: 'x', AssumeRolePolicyDocument: '{' }),
      'MalformedPolicyDocument',
      400,
    );
    await rejects(
      d.call('CreateRole', { RoleName: 'x', AssumeRolePolicyDocument: s3ReadPolicy }),
      'MalformedPolicyDocument',
      400,
    );
    await rejects(
      d.call('GetRole', { RoleName: 'nope' }),
      'NoSuchEntity',
      404,
      'The role with name nope cannot be found.',
    );
  });

  it('lists roles by path prefix with Marker/MaxItems paging', async () => {
    const d = openDomain();
    for (const [name, path] of [
      ['a', '/'],
      ['b', '/team/'],
      ['c', '/team/'],
    ] as const) {
      await d.call('CreateRole', { RoleName: name, Path: path, AssumeRolePolicyDocument: TRUST });
    }
    const team = await d.call('ListRoles', { PathPrefix: '/team/' });
    assert.deepEqual(
      (team.Roles as { RoleName: string }[]).map((r) => r.RoleName),
      ['b', 'c'],
    );
    const first = await d.call('ListRoles', { MaxItems: '2' });
    assert.equal(first.IsTruncated, true);
    assert.equal((first.Roles as unknown[]).length, 2);
    const second = await d.call('ListRoles', { MaxItems: '2', Marker: String(first.Marker) });
    assert.equal(second.IsTruncated, false);
    assert.deepEqual(
      (second.Roles as { RoleName: string }[]).map((r) => r.RoleName),
      ['c'],
    );
  });

  it('refuses to delete a role while policies are attached or inline policies exist (DeleteConflict 409)', async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await d.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
    await rejects(
      d.call('DeleteRole', { RoleName: 'app' }),
      'DeleteConflict',
      409,
      'Cannot delete entity, must detach all policies first.',
    );
    await d.call('DetachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
    await d.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'inline', PolicyDocument: s3ReadPolicy });
    await rejects(
      d.call('DeleteRole', { RoleName: 'app' }),
      'DeleteConflict',
      409,
      'Cannot delete entity, must delete policies first.',
    );
    await d.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'inline' });
    await d.call('DeleteRole', { RoleName: 'app' });
    assert.equal(d.iam.getRole(ACCOUNT, 'app'), undefined);
  });

  it('updates the trust policy (new compiled policy), description, duration, boundary and tags', async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    const before = d.iam.getRole(ACCOUNT, 'app')?.trustPolicy;
    const other = webIdentityTrust(HOST, 'system:serviceaccount:prod:api');
    await d.call('UpdateAssumeRolePolicy', { RoleName: 'app', PolicyDocument: other });
    const after = d.iam.getRole(ACCOUNT, 'app');
    assert.equal(after?.trustPolicyText, other);
    assert.notEqual(after?.trustPolicy, before);
    await d.call('UpdateRole', { RoleName: 'app', Description: 'new', MaxSessionDuration: '3600' });
    await d.call('PutRolePermissionsBoundary', {
      RoleName: 'app',
      PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
    await rejects(
      d.call('PutRolePermissionsBoundary', {
        RoleName: 'app',
        PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/missing`,
      }),
      'NoSuchEntity',
      404,
    );
    await d.call('TagRole', {
      RoleName: 'app',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'a',
      'Tags.member.2.Key': 'env',
      'Tags.member.2.Value': 'dev',
    });
    await d.call('UntagRole', { RoleName: 'app', TagKeys: ['env'] });
    const role = (await d.call('GetRole', { RoleName: 'app' })).Role as Record<string, unknown>;
    assert.equal(role.Description, 'new');
    assert.deepEqual(role.PermissionsBoundary, {
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
    assert.deepEqual(role.Tags, [{ Key: 'team', Value: 'a' }]);
    assert.deepEqual(d.iam.getRole(ACCOUNT, 'app')?.tags, { team: 'a' });
    await d.call('DeleteRolePermissionsBoundary', { RoleName: 'app' });
    assert.equal(d.iam.getRole(ACCOUNT, 'app')?.permissionsBoundaryArn, undefined);
  });

  it('keeps one role per instance profile and exposes it to the IMDS', async () => {
    const d = openDomain();
    const ec2Trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await d.call('CreateRole', { RoleName: 'node', AssumeRolePolicyDocument: ec2Trust });
    await d.call('CreateRole', { RoleName: 'other', AssumeRolePolicyDocument: ec2Trust });
    const created = await d.call('CreateInstanceProfile', { InstanceProfileName: 'node' });
    assert.match(
      String((created.InstanceProfile as Record<string, unknown>).InstanceProfileId),
      /^AIPA[A-Z2-7]{17}$/,
    );
    await d.call('AddRoleToInstanceProfile', { InstanceProfileName: 'node', RoleName: 'node' });
    await rejects(
      d.call('AddRoleToInstanceProfile', { InstanceProfileName: 'node', RoleName: 'other' }),
      'LimitExceeded',
      409,
    );
    const got = (await d.call('GetInstanceProfile', { InstanceProfileName: 'node' }))
      ?.InstanceProfile as Record<string, unknown>;
    assert.equal((got.Roles as { RoleName: string }[])[0]?.RoleName, 'node');
    assert.equal(d.iam.getInstanceProfile(ACCOUNT, 'node')?.role?.roleName, 'node');
    await rejects(
      d.call('DeleteRole', { RoleName: 'node' }),
      'DeleteConflict',
      409,
      'Cannot delete entity, must remove roles from instance profile first.',
    );
    await rejects(
      d.call('GetInstanceProfile', { InstanceProfileName: 'x' }),
      'NoSuchEntity',
      404,
      'Instance Profile x cannot be found.',
    );
  });
});
