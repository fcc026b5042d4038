import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/tmp.js';
import { ACCOUNT, openDomain, s3ReadPolicy, webIdentityTrust } from './helpers.js';

describe('IAM and Organizations state in a file-backed store', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('survives closing and reopening the store', async () => {
    const first = openDomain(tmp.dir);
    await first.call('CreateOpenIDConnectProvider', {
      Url: 'https://oidc.example.local/id/ABC',
      ClientIDList: ['sts.amazonaws.com'],
    });
    await first.call('CreateRole', {
      RoleName: 'app',
      AssumeRolePolicyDocument: webIdentityTrust('oidc.example.local/id/ABC'),
    });
    await first.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: s3ReadPolicy });
    await first.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p` });
    await first.call('PutRolePolicy', {
      RoleName: 'app',
      PolicyName: 'inline',
      PolicyDocument: s3ReadPolicy,
    });
    const ou = (await first.org('CreateOrganizationalUnit', {
      ParentId: first.orgs.rootId,
      Name: 'prod',
    })) as {
      OrganizationalUnit: { Id: string };
    };
    const roleId = first.iam.getRole(ACCOUNT, 'app')?.roleId;
    const orgId = first.orgs.organizationId;
    first.store.close();

    const second = openDomain(tmp.dir);
    assert.equal(second.orgs.organizationId, orgId, 'the organization is seeded once');
    assert.equal(second.iam.getRole(ACCOUNT, 'app')?.roleId, roleId);
    assert.deepEqual(
      second.iam.getOpenIdConnectProviderByUrl(ACCOUNT, 'oidc.example.local/id/ABC')?.clientIds,
      ['sts.amazonaws.com'],
    );
    assert.deepEqual((await second.call('ListAttachedRolePolicies', { RoleName: 'app' })).AttachedPolicies, [
      { PolicyName: 'p', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p` },
    ]);
    assert.deepEqual((await second.call('ListRolePolicies', { RoleName: 'app' })).PolicyNames, ['inline']);
    const ous = (await second.org('ListOrganizationalUnitsForParent', { ParentId: second.orgs.rootId })) as {
      OrganizationalUnits: { Id: string }[];
    };
    assert.deepEqual(
      ous.OrganizationalUnits.map((o) => o.Id),
      [ou.OrganizationalUnit.Id],
    );
    second.store.close();
  });
});
