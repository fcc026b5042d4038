import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ClusterIssuer, discoveryHandler } from '../../src/oidc/index.js';
import { openStore } from '../../src/store/index.js';
import { createJwksCache } from '../../src/sts/index.js';
import { createCa, issueServerCert } from '../../src/tls/index.js';
import {
  ACCOUNT,
  ADMIN,
  createIrsaRole,
  REGION,
  startAws,
  startIssuer,
  type TestAws,
  type TestIssuer,
  trustPolicy,
} from './helpers.js';

let issuer: TestIssuer;
let aws: TestAws;
let iam: IAMClient;
let sts: STSClient;

before(async () => {
  issuer = await startIssuer();
  aws = await startAws({ caPems: [issuer.caPem] });
  iam = new IAMClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials: ADMIN });
  sts = new STSClient({
    region: REGION,
    endpoint: aws.endpoint,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  await createIrsaRole(aws, issuer);
});

after(async () => {
  iam.destroy();
  sts.destroy();
  await aws.close();
  await issuer.close();
});

describe('JWKS cache', () => {
  it('an unknown kid triggers one refresh, then none until the rate limit allows', async () => {
    let now = 1_000_000;
    const cache = createJwksCache({ caPems: [issuer.caPem], now: () => now, minRefreshMs: 5000 });
    await cache.getKey(issuer.url, { alg: 'RS256', kid: issuer.rsa.kid });
    assert.equal(cache.fetches, 2, 'discovery + JWKS');
    await assert.rejects(cache.getKey(issuer.url, { alg: 'RS256', kid: 'unknown' }));
    assert.equal(cache.fetches, 2, 'within the rate limit: no refetch');
    now += 5000;
    await assert.rejects(cache.getKey(issuer.url, { alg: 'RS256', kid: 'unknown' }));
    assert.equal(cache.fetches, 4, 'one refresh');
    await assert.rejects(cache.getKey(issuer.url, { alg: 'RS256', kid: 'unknown2' }));
    assert.equal(cache.fetches, 4);
    cache.close();
  });

  it('refuses an issuer whose certificate is not trusted', async () => {
    const cache = createJwksCache({ caPems: [] });
    await assert.rejects(cache.getKey(issuer.url, { alg: 'RS256', kid: issuer.rsa.kid }), {
      kind: 'unavailable',
    });
    cache.close();
  });
});

describe('IDPCommunicationError', () => {
  it('the issuer does not answer: IDPCommunicationError (the SDK retries it)', async () => {
    const url = 'https://127.0.0.1:1/id/DOWN';
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: ['sts.amazonaws.com'] }));
    const iat = Math.floor(Date.now() / 1000);
    const token = await issuer.sign({ iss: url, sub: 's', aud: ['sts.amazonaws.com'], iat, exp: iat + 600 });
    await assert.rejects(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
          RoleSessionName: 'x1',
          WebIdentityToken: token,
        }),
      ),
      (e: Error & { $metadata: { httpStatusCode: number; attempts: number } }) => {
        assert.equal(e.name, 'IDPCommunicationErrorException');
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.equal(e.$metadata.attempts, 3);
        return true;
      },
    );
  });
});

describe("the lead's cluster issuer (src/oidc) end to end", () => {
  it('a projected token minted by ClusterIssuer assumes the role', async () => {
    const store = openStore(null);
    const ca = await createCa('cluster CA');
    const cert = await issueServerCert(ca, { commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'] });
    let cluster: ClusterIssuer | undefined;
    const server = createServer(
      { cert: cert.certPem, key: cert.keyPem },
      discoveryHandler(() => (cluster ? [cluster] : [])),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      cluster = new ClusterIssuer({
        store,
        baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        cluster: 'demo',
      });
      const own = await startAws({ caPems: [ca.certPem] });
      const ownIam = new IAMClient({ region: 'us-east-1', endpoint: own.endpoint, credentials: ADMIN });
      await ownIam.send(
        new CreateOpenIDConnectProviderCommand({ Url: cluster.url, ClientIDList: ['sts.amazonaws.com'] }),
      );
      const host = cluster.url.slice('https://'.length);
      await ownIam.send(
        new CreateRoleCommand({
          RoleName: 'app-role',
          AssumeRolePolicyDocument: trustPolicy(host, 'system:serviceaccount:default:app'),
        }),
      );
      const minted = await cluster.mint({
        namespace: 'default',
        serviceAccount: 'app',
        audiences: ['sts.amazonaws.com'],
        expirationSeconds: 3600,
      });
      const client = new STSClient({
        region: REGION,
        endpoint: own.endpoint,
        credentials: { accessKeyId: 'u', secretAccessKey: 'u' },
      });
      const out = await client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
          RoleSessionName: 'pod',
          WebIdentityToken: minted.token,
        }),
      );
      assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-role/pod`);
      assert.equal(out.Provider, `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`);
      client.destroy();
      ownIam.destroy();
      await own.close();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      store.close();
    }
  });
});

describe('policy authorizer (session calling IAM)', () => {
  it('allows what the role policies allow and denies the rest with AWS wording', async () => {
    const policy = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'read-role',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }],
        }),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-role', PolicyArn: policy.Policy!.Arn! }));
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
        RoleSessionName: 'reader',
        WebIdentityToken: await issuer.token(),
      }),
    );
    const c = out.Credentials!;
    const session = new IAMClient({
      region: 'us-east-1',
      endpoint: aws.endpoint,
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      },
    });
    assert.equal(
      (await session.send(new GetRoleCommand({ RoleName: 'app-role' }))).Role?.RoleName,
      'app-role',
    );
    await assert.rejects(
      session.send(new ListRolesCommand({})),
      (e: Error & { $metadata: { httpStatusCode: number } }) => {
        assert.equal(e.name, 'AccessDenied');
        assert.equal(e.$metadata.httpStatusCode, 403);
        assert.match(
          e.message,
          new RegExp(
            `^User: arn:aws:sts::${ACCOUNT}:assumed-role/app-role/reader is not authorized to perform: iam:ListRoles`,
          ),
        );
        return true;
      },
    );
    session.destroy();
  });

  async function sessionIam(extra: { Policy?: string; PolicyArns?: { arn: string }[] } = {}) {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
        RoleSessionName: 'reader',
        WebIdentityToken: await issuer.token(),
        ...extra,
      }),
    );
    const c = out.Credentials!;
    const client = new IAMClient({
      region: 'us-east-1',
      endpoint: aws.endpoint,
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      },
    });
    return { client, out };
  }

  it('session policies (inline Policy and PolicyArns) narrow the session', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/read-role`;
    const managed = await sessionIam({ PolicyArns: [{ arn }] });
    assert.ok((managed.out.PackedPolicySize ?? 0) > 0);
    assert.ok(await managed.client.send(new GetRoleCommand({ RoleName: 'app-role' })));
    managed.client.destroy();
    const narrowed = await sessionIam({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }],
      }),
    });
    await assert.rejects(narrowed.client.send(new GetRoleCommand({ RoleName: 'app-role' })), {
      name: 'AccessDenied',
    });
    narrowed.client.destroy();
    await assert.rejects(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
          RoleSessionName: 'reader',
          WebIdentityToken: await issuer.token(),
          PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/missing` }],
        }),
      ),
      { name: 'MalformedPolicyDocumentException' },
    );
  });

  it('aws:PrincipalTag sees the role tags under the session tags', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'app-role', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'app-role',
        PolicyName: 'abac',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'iam:ListRoles',
              Resource: '*',
              Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
            },
          ],
        }),
      }),
    );
    const { client } = await sessionIam();
    assert.ok((await client.send(new ListRolesCommand({}))).Roles);
    client.destroy();
  });
});
