import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../../src/aws/index.js';
import { evaluate } from '../../src/policy/index.js';
import { ACCOUNT, adminCaller, openDomain, s3ReadPolicy, webIdentityTrust } from './helpers.js';

const TRUST = webIdentityTrust('oidc.example.local/id/ABC');
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app`;

function sessionOf(roleArn: string, roleId: string): Caller {
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`;
  return {
    kind: 'session',
    arn,
    accountId: ACCOUNT,
    userId: `${roleId}:s1`,
    principal: { arn, accountId: ACCOUNT, type: 'AssumedRole', roleArn },
    session: {
      roleArn,
      roleName: 'app',
      roleId,
      sessionName: 's1',
      sessionPolicies: [],
      tags: {},
      expiresAt: Date.now() + 3600_000,
      chained: false,
    },
  };
}

describe('loadPrincipalPolicies', () => {
  it("returns the role's inline and attached policies, its boundary and the organization's levels", async () => {
    const d = openDomain();
    await d.call('CreateRole', {
      RoleName: 'app',
      AssumeRolePolicyDocument: TRUST,
      PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
    });
    await d.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'inline', PolicyDocument: s3ReadPolicy });
    await d.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
    const roleId = d.iam.getRole(ACCOUNT, 'app')?.roleId ?? '';
    const caller = sessionOf(ROLE_ARN, roleId);
    const loaded = d.iam.loadPrincipalPolicies(caller);
    assert.deepEqual(
      loaded.identityPolicies.map((p) => [p.name, p.arn]),
      [
        ['inline', undefined],
        ['AmazonS3ReadOnlyAccess', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
      ],
    );
    assert.equal(loaded.permissionsBoundary?.arn, 'arn:aws:iam::aws:policy/AmazonS3FullAccess');
    assert.equal(loaded.permissionsBoundary?.policy.kind, 'boundary');
    // Member account: root level and account level, each with FullAWSAccess.
    assert.deepEqual(
      loaded.scps.map((level) => level.map((p) => p.name)),
      [['FullAWSAccess'], ['FullAWSAccess']],
    );
    assert.equal(loaded.rcps.length, 2);
    assert.equal(loaded.isManagementAccount, false);

    const again = d.iam.loadPrincipalPolicies(caller);
    assert.equal(
      again.identityPolicies[0]?.policy,
      loaded.identityPolicies[0]?.policy,
      'compiled policies are cached',
    );
    assert.equal(again.scps[0]?.[0]?.policy, loaded.scps[0]?.[0]?.policy);

    const decision = evaluate({
      request: {
        principal: caller.principal,
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::b/k',
        context: {},
      },
      ...loaded,
    });
    assert.equal(decision.decision, 'Allow');
  });

  it('puts SCPs attached to OUs between the root and the account, and a deny takes effect', async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await d.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    });
    const ou = (await d.org('CreateOrganizationalUnit', { ParentId: d.orgs.rootId, Name: 'prod' })) as {
      OrganizationalUnit: { Id: string };
    };
    await d.org('MoveAccount', {
      AccountId: ACCOUNT,
      SourceParentId: d.orgs.rootId,
      DestinationParentId: ou.OrganizationalUnit.Id,
    });
    const created = (await d.org('CreatePolicy', {
      Name: 'deny-s3-delete',
      Type: 'SERVICE_CONTROL_POLICY',
      Description: '',
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }],
      }),
    })) as { Policy: { PolicySummary: { Id: string } } };
    await d.org('AttachPolicy', {
      PolicyId: created.Policy.PolicySummary.Id,
      TargetId: ou.OrganizationalUnit.Id,
    });
    const caller = sessionOf(ROLE_ARN, d.iam.getRole(ACCOUNT, 'app')?.roleId ?? '');
    const loaded = d.iam.loadPrincipalPolicies(caller);
    assert.deepEqual(
      loaded.scps.map((level) => level.map((p) => p.name)),
      [['FullAWSAccess'], ['FullAWSAccess', 'deny-s3-delete'], ['FullAWSAccess']],
    );
    const request = (action: string) => ({
      request: { principal: caller.principal, action, resource: 'arn:aws:s3:::b/k', context: {} },
      ...loaded,
    });
    assert.equal(evaluate(request('s3:GetObject')).decision, 'Allow');
    const denied = evaluate(request('s3:DeleteObject'));
    assert.equal(denied.decision, 'ExplicitDeny');
    assert.equal(denied.decidedBy, 'scp');
  });

  it('gives the administrator no identity policies, and a deleted role none either', async () => {
    const d = openDomain();
    const admin = d.iam.loadPrincipalPolicies(adminCaller);
    assert.deepEqual(admin.identityPolicies, []);
    assert.equal(admin.permissionsBoundary, null);
    const ghost = d.iam.loadPrincipalPolicies(
      sessionOf(`arn:aws:iam::${ACCOUNT}:role/gone`, 'AROAXXXXXXXXXXXXXXXXX'),
    );
    assert.deepEqual(ghost.identityPolicies, []);
  });
});
