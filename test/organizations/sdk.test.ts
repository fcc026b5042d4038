import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DuplicatePolicyAttachmentException,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  MalformedPolicyDocumentException,
  OrganizationsClient,
  PolicyNotFoundException,
  TargetNotFoundException,
} from '@aws-sdk/client-organizations';
import { ACCOUNT, clientConfig, startEndpoint, type TestEndpoint } from '../iam/helpers.js';

const DENY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
});

describe('Organizations through @aws-sdk/client-organizations', () => {
  let ep: TestEndpoint;
  let orgs: OrganizationsClient;

  before(async () => {
    ep = await startEndpoint();
    orgs = new OrganizationsClient(clientConfig(ep));
  });
  after(async () => {
    orgs.destroy();
    await ep.close();
  });

  it('describes the organization, its root and accounts', async () => {
    const org = await orgs.send(new DescribeOrganizationCommand({}));
    assert.equal(org.Organization?.MasterAccountId, '111122223334');
    assert.equal(org.Organization?.FeatureSet, 'ALL');
    const roots = await orgs.send(new ListRootsCommand({}));
    assert.equal(roots.Roots?.[0]?.Id, ep.orgs.rootId);
    const accounts = await orgs.send(new ListAccountsCommand({}));
    const member = accounts.Accounts?.find((a) => a.Id === ACCOUNT);
    assert.equal(member?.Status, 'ACTIVE');
    assert.ok(member?.JoinedTimestamp instanceof Date);
  });

  it('creates an SCP, attaches it to an OU and lists it for the target', async () => {
    const ou = await orgs.send(
      new CreateOrganizationalUnitCommand({ ParentId: ep.orgs.rootId, Name: 'prod' }),
    );
    const ouId = ou.OrganizationalUnit?.Id ?? '';
    const listed = await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ep.orgs.rootId }));
    assert.deepEqual(
      listed.OrganizationalUnits?.map((o) => o.Id),
      [ouId],
    );
    const created = await orgs.send(
      new CreatePolicyCommand({
        Name: 'no-delete-bucket',
        Type: 'SERVICE_CONTROL_POLICY',
        Description: 'x',
        Content: DENY,
      }),
    );
    const id = created.Policy?.PolicySummary?.Id ?? '';
    assert.equal(created.Policy?.PolicySummary?.AwsManaged, false);
    const described = await orgs.send(new DescribePolicyCommand({ PolicyId: id }));
    assert.equal(described.Policy?.Content, DENY);
    await orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: ouId }));
    const forTarget = await orgs.send(
      new ListPoliciesForTargetCommand({ TargetId: ouId, Filter: 'SERVICE_CONTROL_POLICY' }),
    );
    assert.deepEqual(forTarget.Policies?.map((p) => p.Name).sort(), ['FullAWSAccess', 'no-delete-bucket']);
    const all = await orgs.send(new ListPoliciesCommand({ Filter: 'RESOURCE_CONTROL_POLICY' }));
    assert.deepEqual(
      all.Policies?.map((p) => p.Id),
      ['p-RCPFullAWSAccess'],
    );

    await assert.rejects(
      orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: ouId })),
      DuplicatePolicyAttachmentException,
    );
    await assert.rejects(
      orgs.send(new AttachPolicyCommand({ PolicyId: 'p-missing1', TargetId: ouId })),
      (err: unknown) => err instanceof PolicyNotFoundException && err.$metadata.httpStatusCode === 400,
    );
    await assert.rejects(
      orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: '000000000000' })),
      TargetNotFoundException,
    );
    await assert.rejects(
      orgs.send(
        new CreatePolicyCommand({
          Name: 'bad',
          Type: 'SERVICE_CONTROL_POLICY',
          Description: '',
          Content: '{"Statement":',
        }),
      ),
      (err: unknown) =>
        err instanceof MalformedPolicyDocumentException &&
        err.message ===
          "The provided policy document doesn't meet the requirements of the specified policy type.",
    );
    await orgs.send(new DetachPolicyCommand({ PolicyId: id, TargetId: ouId }));
  });
});
