// The seed's setup steps, run verbatim with the AWS CLI installed on this machine against a running instance,
// then the token exchange with `aws sts assume-role-with-web-identity` and the session's GetCallerIdentity.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type Instance, startInstance } from '../../src/runtime/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { freePortBase, testConfig } from '../helpers/config.js';
import { tempDir } from '../helpers/tmp.js';

const hasCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

describe('the seed setup with the AWS CLI', { skip: !hasCli && 'no aws CLI on this machine' }, () => {
  const home = tempDir();
  let instance: Instance;

  before(async () => {
    instance = await startInstance(testConfig({ port: await freePortBase() }));
  });
  after(async () => {
    await instance?.close();
    home.cleanup();
  });

  // Asynchronous: the instance answers from this very process.
  const aws = async (
    args: string[],
    creds?: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string },
  ) => {
    const { stdout } = await promisify(execFile)('aws', [...args, '--endpoint-url', instance.endpoints.aws], {
      env: {
        PATH: process.env.PATH,
        HOME: home.dir,
        AWS_ACCESS_KEY_ID: creds?.AccessKeyId ?? instance.state.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds?.SecretAccessKey ?? instance.state.admin.secretAccessKey,
        ...(creds ? { AWS_SESSION_TOKEN: creds.SessionToken } : {}),
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(home.dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home.dir, 'credentials'),
      },
    });
    return stdout.trim();
  };

  it('gets the issuer, creates the provider, the role and the policy, and exchanges a projected token', async () => {
    // Setup 1: the issuer URL, and the IAM OIDC provider for it.
    const issuer = await aws([
      'eks',
      'describe-cluster',
      '--name',
      'local',
      '--query',
      'cluster.identity.oidc.issuer',
      '--output',
      'text',
    ]);
    assert.equal(issuer, instance.issuers.get('local')!.url);
    const thumbprint = instance.clusters()[0]!.thumbprint;
    const provider = JSON.parse(
      await aws([
        'iam',
        'create-open-id-connect-provider',
        '--url',
        issuer,
        '--client-id-list',
        'sts.amazonaws.com',
        '--thumbprint-list',
        thumbprint,
      ]),
    );
    const host = issuer.replace('https://', '');
    assert.equal(provider.OpenIDConnectProviderArn, `arn:aws:iam::111122223333:oidc-provider/${host}`);

    // Setup 2: the role, with the Federated principal and the :sub and :aud conditions.
    const trust = join(home.dir, 'trust-policy.json');
    writeFileSync(
      trust,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider.OpenIDConnectProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${host}:sub`]: 'system:serviceaccount:demo:s3-reader',
                [`${host}:aud`]: 'sts.amazonaws.com',
              },
            },
          },
        ],
      }),
    );
    const roleArn = await aws([
      'iam',
      'create-role',
      '--role-name',
      's3-reader',
      '--assume-role-policy-document',
      `file://${trust}`,
      '--query',
      'Role.Arn',
      '--output',
      'text',
    ]);
    assert.equal(roleArn, 'arn:aws:iam::111122223333:role/s3-reader');

    // Setup 3: the least-privilege permission policy, attached.
    const policyArn = await aws([
      'iam',
      'create-policy',
      '--policy-name',
      's3-read',
      '--policy-document',
      `file://${join(REPO_ROOT, 'examples', 's3-read-policy.json')}`,
      '--query',
      'Policy.Arn',
      '--output',
      'text',
    ]);
    await aws(['iam', 'attach-role-policy', '--role-name', 's3-reader', '--policy-arn', policyArn]);
    const attached = JSON.parse(
      await aws(['iam', 'list-attached-role-policies', '--role-name', 's3-reader']),
    );
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 's3-read', PolicyArn: policyArn }]);

    // The token journey: a token as the kubelet would project it, exchanged by the CLI.
    const { token } = await instance.issuers.get('local')!.mint({
      namespace: 'demo',
      serviceAccount: 's3-reader',
      audiences: ['sts.amazonaws.com'],
      expirationSeconds: 86400,
    });
    const out = JSON.parse(
      await aws([
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        roleArn,
        '--role-session-name',
        'cli',
        '--web-identity-token',
        token,
      ]),
    );
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
    assert.equal(out.SubjectFromWebIdentityToken, 'system:serviceaccount:demo:s3-reader');
    assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::111122223333:assumed-role/s3-reader/cli');
    assert.equal(out.Provider, provider.OpenIDConnectProviderArn);
    assert.equal(out.Audience, 'sts.amazonaws.com');
    const me = JSON.parse(await aws(['sts', 'get-caller-identity'], out.Credentials));
    assert.equal(me.Arn, 'arn:aws:sts::111122223333:assumed-role/s3-reader/cli');

    // A token for another ServiceAccount is refused by the trust policy, with AWS's message.
    const other = await instance.issuers
      .get('local')!
      .mint({ namespace: 'demo', serviceAccount: 'other', audiences: ['sts.amazonaws.com'] });
    await assert.rejects(
      aws([
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        roleArn,
        '--role-session-name',
        'cli',
        '--web-identity-token',
        other.token,
      ]),
      (err: { stderr?: string }) =>
        /AccessDenied.*Not authorized to perform sts:AssumeRoleWithWebIdentity/.test(err.stderr ?? ''),
    );
  });
});
