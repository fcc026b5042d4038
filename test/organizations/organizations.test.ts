import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError, type Caller } from '../../src/aws/index.js';
import { managementAccountFor } from '../../src/organizations/index.js';
import { ACCOUNT, context, openDomain } from '../iam/helpers.js';

const SCP = 'SERVICE_CONTROL_POLICY';
const RCP = 'RESOURCE_CONTROL_POLICY';
const DENY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
});

async function orgRejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AwsError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.status, 400);
    return true;
  });
}

type PolicyOut = {
  Policy: { PolicySummary: { Id: string; Arn: string; AwsManaged: boolean }; Content: string };
};
type PoliciesOut = { Policies: { Id: string; Name: string }[] };

describe('Organizations', () => {
  it('seeds one organization whose root holds the management account and the emulated member account', async () => {
    const d = openDomain();
    const mgmt = managementAccountFor(ACCOUNT);
    assert.equal(mgmt, '111122223334');
    const org = (await d.org('DescribeOrganization')) as { Organization: Record<string, unknown> };
    assert.match(String(org.Organization.Id), /^o-[a-z0-9]{10}$/);
    assert.equal(org.Organization.MasterAccountId, mgmt);
    assert.equal(org.Organization.FeatureSet, 'ALL');
    const roots = (await d.org('ListRoots')) as { Roots: { Id: string; Name: string }[] };
    assert.match(roots.Roots[0]?.Id ?? '', /^r-[a-z0-9]{4}$/);
    const accounts = (await d.org('ListAccounts')) as { Accounts: { Id: string; Status: string }[] };
    assert.deepEqual(accounts.Accounts.map((a) => a.Id).sort(), [ACCOUNT, mgmt].sort());
    const forRoot = (await d.org('ListPoliciesForTarget', {
      TargetId: d.orgs.rootId,
      Filter: SCP,
    })) as PoliciesOut;
    assert.deepEqual(
      forRoot.Policies.map((p) => p.Id),
      ['p-FullAWSAccess'],
    );
    const rcps = (await d.org('ListPoliciesForTarget', { TargetId: ACCOUNT, Filter: RCP })) as PoliciesOut;
    assert.deepEqual(
      rcps.Policies.map((p) => p.Id),
      ['p-RCPFullAWSAccess'],
    );
    assert.equal(d.orgs.levelsFor(mgmt).isManagementAccount, true);
    assert.equal(d.orgs.levelsFor(ACCOUNT).isManagementAccount, false);
    assert.deepEqual(d.orgs.levelsFor('999999999999'), { scps: [], rcps: [], isManagementAccount: false });
  });

  it('creates, describes, updates, lists and deletes SCPs and RCPs validated by the engine', async () => {
    const d = openDomain();
    const created = (await d.org('CreatePolicy', {
      Name: 'no-delete',
      Type: SCP,
      Description: 'd',
      Content: DENY,
    })) as PolicyOut;
    const id = created.Policy.PolicySummary.Id;
    assert.match(id, /^p-[a-z0-9]{8}$/);
    assert.match(
      created.Policy.PolicySummary.Arn,
      new RegExp(`^arn:aws:organizations::111122223334:policy/o-[a-z0-9]{10}/service_control_policy/${id}$`),
    );
    const described = (await d.org('DescribePolicy', { PolicyId: id })) as PolicyOut;
    assert.equal(described.Policy.Content, DENY);
    const other = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }],
    });
    await d.org('UpdatePolicy', { PolicyId: id, Content: other, Name: 'no-s3' });
    assert.equal(((await d.org('DescribePolicy', { PolicyId: id })) as PolicyOut).Policy.Content, other);
    const scps = (await d.org('ListPolicies', { Filter: SCP })) as PoliciesOut;
    assert.deepEqual(
      scps.Policies.map((p) => p.Name),
      ['FullAWSAccess', 'no-s3'],
    );
    const rcp = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    await d.org('CreatePolicy', { Name: 'tls-only', Type: RCP, Description: '', Content: rcp });
    await orgRejects(
      d.org('CreatePolicy', { Name: 'bad', Type: SCP, Description: '', Content: '{' }),
      'MalformedPolicyDocumentException',
    );
    await orgRejects(
      d.org('CreatePolicy', { Name: 'no-s3', Type: SCP, Description: '', Content: DENY }),
      'DuplicatePolicyException',
    );
    await orgRejects(d.org('DescribePolicy', { PolicyId: 'p-00000000' }), 'PolicyNotFoundException');
    await d.org('DeletePolicy', { PolicyId: id });
    await orgRejects(d.org('DescribePolicy', { PolicyId: id }), 'PolicyNotFoundException');
  });

  it('attaches and detaches on roots, OUs and accounts with Organizations error codes', async () => {
    const d = openDomain();
    const { Policy } = (await d.org('CreatePolicy', {
      Name: 'deny',
      Type: SCP,
      Description: '',
      Content: DENY,
    })) as PolicyOut;
    const id = Policy.PolicySummary.Id;
    await d.org('AttachPolicy', { PolicyId: id, TargetId: ACCOUNT });
    await orgRejects(
      d.org('AttachPolicy', { PolicyId: id, TargetId: ACCOUNT }),
      'DuplicatePolicyAttachmentException',
    );
    await orgRejects(
      d.org('AttachPolicy', { PolicyId: id, TargetId: '000000000000' }),
      'TargetNotFoundException',
    );
    await orgRejects(
      d.org('AttachPolicy', { PolicyId: 'p-zzzzzzzz', TargetId: ACCOUNT }),
      'PolicyNotFoundException',
    );
    await orgRejects(
      d.org('AttachPolicy', { PolicyId: 'bogus', TargetId: ACCOUNT }),
      'InvalidInputException',
    );
    await orgRejects(d.org('DeletePolicy', { PolicyId: id }), 'PolicyInUseException');
    const levels = d.orgs.levelsFor(ACCOUNT);
    assert.deepEqual(
      levels.scps.map((l) => l.map((p) => p.name)),
      [['FullAWSAccess'], ['FullAWSAccess', 'deny']],
    );
    const targets = (await d.org('ListTargetsForPolicy', { PolicyId: id })) as {
      Targets: { TargetId: string; Type: string }[];
    };
    assert.deepEqual(targets.Targets, [
      {
        TargetId: ACCOUNT,
        Arn: `arn:aws:organizations::111122223334:account/${d.orgs.organizationId}/${ACCOUNT}`,
        Name: 'irsakit',
        Type: 'ACCOUNT',
      },
    ]);
    await d.org('DetachPolicy', { PolicyId: id, TargetId: ACCOUNT });
    await orgRejects(
      d.org('DetachPolicy', { PolicyId: id, TargetId: ACCOUNT }),
      'PolicyNotAttachedException',
    );
    await orgRejects(
      d.org('DetachPolicy', { PolicyId: 'p-FullAWSAccess', TargetId: ACCOUNT }),
      'ConstraintViolationException',
    );
    await orgRejects(
      d.org('DetachPolicy', { PolicyId: 'p-RCPFullAWSAccess', TargetId: ACCOUNT }),
      'ConstraintViolationException',
    );
    await d.org('DeletePolicy', { PolicyId: id });
  });

  it('creates OUs (with FullAWSAccess attached), lists them and moves accounts', async () => {
    const d = openDomain();
    const { OrganizationalUnit } = (await d.org('CreateOrganizationalUnit', {
      ParentId: d.orgs.rootId,
      Name: 'prod',
    })) as {
      OrganizationalUnit: { Id: string; Name: string };
    };
    assert.match(OrganizationalUnit.Id, new RegExp(`^ou-${d.orgs.rootId.slice(2)}-[a-z0-9]{8}$`));
    await orgRejects(
      d.org('CreateOrganizationalUnit', { ParentId: d.orgs.rootId, Name: 'prod' }),
      'DuplicateOrganizationalUnitException',
    );
    await orgRejects(
      d.org('CreateOrganizationalUnit', { ParentId: 'ou-abcd-zzzzzzzz', Name: 'x' }),
      'ParentNotFoundException',
    );
    const listed = (await d.org('ListOrganizationalUnitsForParent', { ParentId: d.orgs.rootId })) as {
      OrganizationalUnits: { Name: string }[];
    };
    assert.deepEqual(
      listed.OrganizationalUnits.map((o) => o.Name),
      ['prod'],
    );
    await d.org('MoveAccount', {
      AccountId: ACCOUNT,
      SourceParentId: d.orgs.rootId,
      DestinationParentId: OrganizationalUnit.Id,
    });
    await orgRejects(
      d.org('MoveAccount', {
        AccountId: ACCOUNT,
        SourceParentId: d.orgs.rootId,
        DestinationParentId: OrganizationalUnit.Id,
      }),
      'SourceParentNotFoundException',
    );
    const parents = (await d.org('ListParents', { ChildId: ACCOUNT })) as {
      Parents: { Id: string; Type: string }[];
    };
    assert.deepEqual(parents.Parents, [{ Id: OrganizationalUnit.Id, Type: 'ORGANIZATIONAL_UNIT' }]);
    assert.equal(d.orgs.levelsFor(ACCOUNT).scps.length, 3);
    await orgRejects(
      d.org('DeleteOrganizationalUnit', { OrganizationalUnitId: OrganizationalUnit.Id }),
      'OrganizationalUnitNotEmptyException',
    );
  });

  it('lets member-account role sessions read the organization only', async () => {
    const d = openDomain();
    const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`;
    const session: Caller = {
      kind: 'session',
      arn,
      accountId: ACCOUNT,
      userId: 'AROAEXAMPLE:s',
      principal: { arn, accountId: ACCOUNT, type: 'AssumedRole' },
    };
    await d.org('DescribeOrganization', {}, context(session));
    await orgRejects(d.org('ListAccounts', {}, context(session)), 'AccessDeniedException');
  });
});
