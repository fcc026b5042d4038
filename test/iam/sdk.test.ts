import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  EntityAlreadyExistsException,
  GetAccountAuthorizationDetailsCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolesCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePolicyCommand,
  paginateListRoles,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { tempDir } from '../helpers/tmp.js';
import {
  ACCOUNT,
  clientConfig,
  s3ReadPolicy,
  startEndpoint,
  type TestEndpoint,
  webIdentityTrust,
} from './helpers.js';

const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const HOST = ISSUER.slice('https://'.length);
const TRUST = webIdentityTrust(HOST);
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/s3read`;

describe('IAM through @aws-sdk/client-iam', () => {
  const tmp = tempDir();
  let ep: TestEndpoint;
  let iam: IAMClient;

  before(async () => {
    ep = await startEndpoint(tmp.dir);
    iam = new IAMClient(clientConfig(ep));
  });
  after(async () => {
    iam.destroy();
    await ep.close();
    tmp.cleanup();
  });

  it('creates and reads an OIDC provider', async () => {
    const created = await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: ISSUER,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        Tags: [{ Key: 'cluster', Value: 'local' }],
      }),
    );
    assert.equal(created.OpenIDConnectProviderArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`);
    const got = await iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: created.OpenIDConnectProviderArn }),
    );
    assert.equal(got.Url, HOST);
    assert.deepEqual(got.ClientIDList, ['sts.amazonaws.com']);
    assert.ok(got.CreateDate instanceof Date);
    assert.deepEqual(got.Tags, [{ Key: 'cluster', Value: 'local' }]);
    const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    assert.deepEqual(list.OpenIDConnectProviderList, [{ Arn: created.OpenIDConnectProviderArn }]);
    await assert.rejects(
      iam.send(new CreateOpenIDConnectProviderCommand({ Url: ISSUER, ClientIDList: ['sts.amazonaws.com'] })),
      (err: unknown) => {
        assert.ok(err instanceof EntityAlreadyExistsException);
        assert.equal(err.$metadata.httpStatusCode, 409);
        assert.equal(err.message, `Provider with url ${ISSUER} already exists.`);
        return true;
      },
    );
  });

  it('creates a role, a policy, attaches it, and reads documents back URL-encoded', async () => {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'app',
        AssumeRolePolicyDocument: TRUST,
        MaxSessionDuration: 7200,
        Description: 'IRSA demo',
        Tags: [{ Key: 'team', Value: 'a' }],
      }),
    );
    assert.match(created.Role?.RoleId ?? '', /^AROA[A-Z2-7]{17}$/);
    assert.equal(created.Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/app`);
    assert.ok(created.Role?.CreateDate instanceof Date);
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role;
    assert.equal(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''), TRUST);
    assert.equal(role?.MaxSessionDuration, 7200);
    assert.deepEqual(role?.Tags, [{ Key: 'team', Value: 'a' }]);

    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: 's3read', PolicyDocument: s3ReadPolicy }),
    );
    assert.equal(policy.Policy?.Arn, POLICY_ARN);
    assert.match(policy.Policy?.PolicyId ?? '', /^ANPA/);
    assert.equal(policy.Policy?.IsAttachable, true);
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: POLICY_ARN }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app' }));
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 's3read', PolicyArn: POLICY_ARN }]);
    assert.equal(attached.IsTruncated, false);
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v1' }));
    assert.equal(decodeURIComponent(version.PolicyVersion?.Document ?? ''), s3ReadPolicy);
    assert.equal(version.PolicyVersion?.IsDefaultVersion, true);

    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'inline', PolicyDocument: s3ReadPolicy }),
    );
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'inline' }));
    assert.equal(decodeURIComponent(inline.PolicyDocument ?? ''), s3ReadPolicy);
  });

  it('maps errors to the SDK exception classes with AWS codes, statuses and messages', async () => {
    const check = async (
      p: Promise<unknown>,
      cls: new (...a: never[]) => IAMServiceException,
      status: number,
      message?: RegExp,
    ) =>
      assert.rejects(p, (err: unknown) => {
        assert.ok(err instanceof cls, `${String(err)} is not a ${cls.name}`);
        assert.equal((err as IAMServiceException).$metadata.httpStatusCode, status);
        if (message) assert.match((err as Error).message, message);
        return true;
      });
    await check(
      iam.send(new GetRoleCommand({ RoleName: 'missing' })),
      NoSuchEntityException,
      404,
      /^The role with name missing cannot be found\.$/,
    );
    await check(
      iam.send(new DeleteRoleCommand({ RoleName: 'app' })),
      DeleteConflictException,
      409,
      /must detach all policies first/,
    );
    await check(
      iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: s3ReadPolicy })),
      MalformedPolicyDocumentException,
      400,
    );
    for (let i = 2; i <= 5; i++) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: s3ReadPolicy }));
    }
    await check(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: s3ReadPolicy })),
      LimitExceededException,
      409,
      /up to 5 versions/,
    );
    await assert.rejects(
      iam.send(
        new CreateRoleCommand({ RoleName: 'x', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 60 }),
      ),
      (err: unknown) => {
        assert.ok(err instanceof IAMServiceException);
        assert.equal(err.name, 'ValidationError');
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.equal(
          err.message,
          "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
        );
        return true;
      },
    );
  });

  it('pages ListRoles with Marker/MaxItems', async () => {
    for (const name of ['r1', 'r2', 'r3']) {
      await iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST, Path: '/paged/' }),
      );
    }
    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.Roles?.length, 2);
    const names: string[] = [];
    for await (const page of paginateListRoles({ client: iam, pageSize: 1 }, { PathPrefix: '/paged/' })) {
      names.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
    }
    assert.deepEqual(names, ['r1', 'r2', 'r3']);
  });

  it('simulates a principal policy', async () => {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/app`,
        ActionNames: ['s3:GetObject', 's3:PutObject'],
        ResourceArns: ['arn:aws:s3:::bucket/key'],
      }),
    );
    const byAction = Object.fromEntries((out.EvaluationResults ?? []).map((r) => [r.EvalActionName, r]));
    assert.equal(byAction['s3:GetObject']?.EvalDecision, 'allowed');
    assert.equal(byAction['s3:PutObject']?.EvalDecision, 'implicitDeny');
    const matched = byAction['s3:GetObject']?.MatchedStatements ?? [];
    assert.ok(matched.length >= 1);
    assert.equal(typeof matched[0]?.StartPosition?.Line, 'number');
    assert.equal(byAction['s3:GetObject']?.OrganizationsDecisionDetail?.AllowedByOrganizations, true);
  });

  it('exports the account with GetAccountAuthorizationDetails', async () => {
    const out = await iam.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['Role', 'LocalManagedPolicy'] }),
    );
    const app = out.RoleDetailList?.find((r) => r.RoleName === 'app');
    assert.equal(decodeURIComponent(app?.AssumeRolePolicyDocument ?? ''), TRUST);
    assert.deepEqual(
      app?.RolePolicyList?.map((p) => p.PolicyName),
      ['inline'],
    );
    assert.deepEqual(app?.AttachedManagedPolicies, [{ PolicyName: 's3read', PolicyArn: POLICY_ARN }]);
    const s3read = out.Policies?.find((p) => p.PolicyName === 's3read');
    assert.equal(s3read?.PolicyVersionList?.length, 5);
  });

  it('keeps IAM state across an endpoint restart on the same data directory', async () => {
    iam.destroy();
    await ep.close();
    ep = await startEndpoint(tmp.dir);
    iam = new IAMClient(clientConfig(ep));
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role;
    assert.equal(role?.Arn, `arn:aws:iam::${ACCOUNT}:role/app`);
    const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    assert.equal(list.OpenIDConnectProviderList?.length, 1);
  });
});
