import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, context, openDomain, rejects, s3ReadPolicy, webIdentityTrust } from './helpers.js';

const TRUST = webIdentityTrust('oidc.example.local/id/ABC');
const doc = (action: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

describe('IAM managed policies', () => {
  it('creates a policy with an ANPA id and version v1, and returns its document URL-encoded', async () => {
    const d = openDomain();
    const ctx = context();
    const out = (
      await d.call(
        'CreatePolicy',
        { PolicyName: 's3read', PolicyDocument: s3ReadPolicy, Path: '/irsa/' },
        ctx,
      )
    )?.Policy as Record<string, unknown>;
    const arn = `arn:aws:iam::${ACCOUNT}:policy/irsa/s3read`;
    assert.equal(out.Arn, arn);
    assert.match(String(out.PolicyId), /^ANPA[A-Z2-7]{17}$/);
    assert.equal(out.DefaultVersionId, 'v1');
    assert.equal(out.AttachmentCount, 0);
    assert.equal(out.IsAttachable, true);
    assert.deepEqual(ctx.authorized, [['iam:CreatePolicy', arn]]);
    const v = (await d.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v1' }))
      ?.PolicyVersion as Record<string, unknown>;
    assert.equal(v.Document, encodeURIComponent(s3ReadPolicy));
    assert.equal(v.IsDefaultVersion, true);
    await rejects(
      d.call('CreatePolicy', { PolicyName: 'S3READ', PolicyDocument: s3ReadPolicy }),
      'EntityAlreadyExists',
      409,
      'A policy called S3READ already exists. Duplicate names are not allowed.',
    );
  });

  it('validates documents with the policy engine', async () => {
    const d = openDomain();
    await rejects(
      d.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: 'nope' }),
      'MalformedPolicyDocument',
      400,
    );
    await rejects(
      d.call('CreatePolicy', {
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
      }),
      'MalformedPolicyDocument',
      400,
      'Policy document must be version 2012-10-17 or greater.',
    );
    await rejects(
      d.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: webIdentityTrust('x.example/id') }),
      'MalformedPolicyDocument',
      400,
    );
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: Array.from({ length: 600 }, (_, i) => `s3:Action${i}`), Resource: '*' },
      ],
    });
    await rejects(d.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: big }), 'LimitExceeded', 409);
  });

  it('keeps at most five versions, never deletes the default one, and switches the default', async () => {
    const d = openDomain();
    await d.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: doc('s3:GetObject') });
    const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
    for (let i = 2; i <= 5; i++)
      await d.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: doc(`s3:Get${i}`) });
    await rejects(
      d.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: doc('s3:Get6') }),
      'LimitExceeded',
      409,
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    );
    await rejects(
      d.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v1' }),
      'DeleteConflict',
      409,
      'Cannot delete the default version of a policy.',
    );
    await d.call('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v3' });
    await d.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v1' });
    const created = await d.call('CreatePolicyVersion', {
      PolicyArn: arn,
      PolicyDocument: doc('s3:Get6'),
      SetAsDefault: 'true',
    });
    assert.deepEqual(
      (created.PolicyVersion as Record<string, unknown>).VersionId,
      'v6',
      'version numbers are never reused',
    );
    const versions = (await d.call('ListPolicyVersions', { PolicyArn: arn })).Versions as Record<
      string,
      unknown
    >[];
    assert.deepEqual(versions.map((v) => [v.VersionId, v.IsDefaultVersion]).sort(), [
      ['v2', false],
      ['v3', false],
      ['v4', false],
      ['v5', false],
      ['v6', true],
    ]);
    assert.equal(
      ((await d.call('GetPolicy', { PolicyArn: arn })).Policy as Record<string, unknown>).DefaultVersionId,
      'v6',
    );
    await rejects(d.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v1' }), 'NoSuchEntity', 404);
  });

  it('refuses to delete an attached policy or one with several versions (DeleteConflict)', async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await d.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: doc('s3:GetObject') });
    const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
    await d.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: arn });
    assert.equal(
      ((await d.call('GetPolicy', { PolicyArn: arn })).Policy as Record<string, unknown>).AttachmentCount,
      1,
    );
    await rejects(
      d.call('DeletePolicy', { PolicyArn: arn }),
      'DeleteConflict',
      409,
      'Cannot delete a policy attached to entities.',
    );
    await d.call('DetachRolePolicy', { RoleName: 'app', PolicyArn: arn });
    await d.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: doc('s3:PutObject') });
    await rejects(d.call('DeletePolicy', { PolicyArn: arn }), 'DeleteConflict', 409, /more than one version/);
    await d.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v2' });
    await d.call('DeletePolicy', { PolicyArn: arn });
    await rejects(
      d.call('GetPolicy', { PolicyArn: arn }),
      'NoSuchEntity',
      404,
      `Policy ${arn} was not found.`,
    );
  });

  it('lists policies by scope and attachment, AWS managed ones included', async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await d.call('CreatePolicy', { PolicyName: 'local1', PolicyDocument: doc('s3:GetObject') });
    await d.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
    const names = async (p: Record<string, string>) =>
      ((await d.call('ListPolicies', p)).Policies as { PolicyName: string }[]).map((x) => x.PolicyName);
    assert.deepEqual(await names({ Scope: 'Local' }), ['local1']);
    assert.ok((await names({ Scope: 'AWS' })).includes('AdministratorAccess'));
    assert.deepEqual(await names({ OnlyAttached: 'true' }), ['AmazonS3ReadOnlyAccess']);
    const aws = (await d.call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }))
      ?.Policy as Record<string, unknown>;
    assert.equal(aws.PolicyId, 'ANPAIZTJ4DXE7G6AGAE6M');
    assert.equal(aws.AttachmentCount, 1);
    await rejects(
      d.call('CreatePolicyVersion', {
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        PolicyDocument: doc('s3:x'),
      }),
      'UnmodifiableEntity',
      400,
    );
  });
});

describe('IAM role policies', () => {
  it('attaches managed policies (10 at most), puts and reads inline policies', async () => {
    const d = openDomain();
    await d.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    const ctx = context();
    await d.call(
      'AttachRolePolicy',
      { RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' },
      ctx,
    );
    assert.deepEqual(ctx.authorized, [['iam:AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:role/app`]]);
    await rejects(
      d.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/missing` }),
      'NoSuchEntity',
      404,
      `Policy arn:aws:iam::${ACCOUNT}:policy/missing does not exist or is not attachable.`,
    );
    for (let i = 0; i < 9; i++) {
      await d.call('CreatePolicy', { PolicyName: `p${i}`, PolicyDocument: doc('s3:GetObject') });
      await d.call('AttachRolePolicy', {
        RoleName: 'app',
        PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p${i}`,
      });
    }
    await d.call('CreatePolicy', { PolicyName: 'p9', PolicyDocument: doc('s3:GetObject') });
    await rejects(
      d.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p9` }),
      'LimitExceeded',
      409,
    );
    const attached = (await d.call('ListAttachedRolePolicies', { RoleName: 'app' }))
      ?.AttachedPolicies as unknown[];
    assert.equal(attached.length, 10);
    await rejects(
      d.call('DetachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p9` }),
      'NoSuchEntity',
      404,
    );

    await d.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'inline', PolicyDocument: s3ReadPolicy });
    const got = await d.call('GetRolePolicy', { RoleName: 'app', PolicyName: 'inline' });
    assert.deepEqual(got, {
      RoleName: 'app',
      PolicyName: 'inline',
      PolicyDocument: encodeURIComponent(s3ReadPolicy),
    });
    assert.deepEqual((await d.call('ListRolePolicies', { RoleName: 'app' })).PolicyNames, ['inline']);
    await rejects(
      d.call('GetRolePolicy', { RoleName: 'app', PolicyName: 'other' }),
      'NoSuchEntity',
      404,
      'The role policy with name other cannot be found.',
    );
    await rejects(
      d.call('PutRolePolicy', {
        RoleName: 'app',
        PolicyName: 'bad',
        PolicyDocument: webIdentityTrust('x.example/id'),
      }),
      'MalformedPolicyDocument',
      400,
    );
  });
});

describe('getManagedPolicyDocument', () => {
  it('returns the default version text of customer and AWS managed policies', async () => {
    const d = openDomain();
    await d.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: doc('s3:GetObject') });
    const arn = `arn:aws:iam::${ACCOUNT}:policy/p`;
    await d.call('CreatePolicyVersion', {
      PolicyArn: arn,
      PolicyDocument: doc('s3:PutObject'),
      SetAsDefault: 'true',
    });
    assert.deepEqual(d.iam.getManagedPolicyDocument(arn), { arn, name: 'p', text: doc('s3:PutObject') });
    assert.equal(
      d.iam.getManagedPolicyDocument('arn:aws:iam::aws:policy/AdministratorAccess')?.name,
      'AdministratorAccess',
    );
    assert.equal(d.iam.getManagedPolicyDocument(`arn:aws:iam::${ACCOUNT}:policy/missing`), undefined);
  });
});
