import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleWithWebIdentityCommandInput,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { SignJWT } from 'jose';
import { TOKEN_MESSAGES } from '../../src/sts/index.js';
import {
  ACCOUNT,
  ADMIN,
  createIrsaRole,
  REGION,
  startAws,
  startIssuer,
  stsClientFor,
  type TestAws,
  type TestIssuer,
} from './helpers.js';

let issuer: TestIssuer;
let aws: TestAws;
let sts: STSClient;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const CHAIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/chain-target`;

before(async () => {
  issuer = await startIssuer();
  aws = await startAws({ caPems: [issuer.caPem] });
  await createIrsaRole(aws, issuer, { maxSessionDuration: 7200 });
  const iam = new IAMClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials: ADMIN });
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'chain-target',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  iam.destroy();
  // AssumeRoleWithWebIdentity is unsigned; the SDK still wants some credentials configured for the client.
  sts = new STSClient({
    region: REGION,
    endpoint: aws.endpoint,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
});

after(async () => {
  sts.destroy();
  await aws.close();
  await issuer.close();
});

function input(
  token: string,
  extra: Partial<AssumeRoleWithWebIdentityCommandInput> = {},
): AssumeRoleWithWebIdentityCommandInput {
  return { RoleArn: ROLE, RoleSessionName: 'my-session', WebIdentityToken: token, ...extra };
}

async function refused(
  promise: Promise<unknown>,
  want: { name: string; code?: string; status: number; message?: string | RegExp },
): Promise<void> {
  await assert.rejects(promise, (e: Error & { $metadata?: { httpStatusCode?: number }; Code?: string }) => {
    assert.equal(e.name, want.name);
    assert.equal(e.$metadata?.httpStatusCode, want.status);
    if (want.code) assert.equal(e.Code ?? (e as { code?: string }).code ?? want.code, want.code);
    if (typeof want.message === 'string') assert.equal(e.message, want.message);
    else if (want.message) assert.match(e.message, want.message);
    return true;
  });
}

describe('AssumeRoleWithWebIdentity', () => {
  it('returns credentials and every response field', async () => {
    const t0 = Date.now();
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token())));
    assert.match(out.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.Credentials?.SecretAccessKey?.length, 40);
    assert.ok((out.Credentials?.SessionToken?.length ?? 0) > 40);
    const exp = out.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(exp - (t0 + 3_600_000)) < 5000, 'default 1 hour');
    assert.equal(out.SubjectFromWebIdentityToken, 'system:serviceaccount:default:app');
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-role/my-session`);
    assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z0-9]+:my-session$/);
    assert.equal(out.Provider, `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.host}`);
    assert.equal(out.Audience, 'sts.amazonaws.com');
    assert.equal(out.PackedPolicySize, undefined);
  });

  it('accepts a token with a trailing newline (the SDKs do not trim the token file)', async () => {
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand(input(`${await issuer.token()}\n`)));
    assert.ok(out.Credentials?.AccessKeyId);
  });

  it('accepts an ES256 token, DurationSeconds up to MaxSessionDuration and a session policy', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const token = await issuer.sign(
      {
        iss: issuer.url,
        sub: 'system:serviceaccount:default:app',
        aud: 'sts.amazonaws.com',
        iat,
        exp: iat + 600,
      },
      { alg: 'ES256' },
    );
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand(input(token, { DurationSeconds: 7200, Policy: policy })),
    );
    const exp = out.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(exp - (Date.now() + 7_200_000)) < 5000);
    assert.ok((out.PackedPolicySize ?? 0) > 0);
  });

  it('GetCallerIdentity with the session shows the assumed role', async () => {
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token())));
    const c = out.Credentials!;
    const client = stsClientFor(aws.endpoint, c);
    const id = await client.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-role/my-session`);
    assert.equal(id.Account, ACCOUNT);
    assert.equal(id.UserId, out.AssumedRoleUser?.AssumedRoleId);
    client.destroy();
  });

  it('GetCallerIdentity for the administrator and for a node session (IMDS)', async () => {
    const admin = new STSClient({ region: REGION, endpoint: aws.endpoint, credentials: ADMIN });
    const id = await admin.send(new GetCallerIdentityCommand({}));
    assert.deepEqual([id.Arn, id.Account, id.UserId], [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT, ACCOUNT]);
    admin.destroy();
    const node = aws.credentials.issueSessionCredentials({
      role: {
        arn: `arn:aws:iam::${ACCOUNT}:role/node-role`,
        roleId: 'AROANODEROLEEXAMPLE01',
        roleName: 'node-role',
      },
      sessionName: 'i-0123456789abcdef0',
      durationSeconds: 3600,
    });
    const client = new STSClient({ region: REGION, endpoint: aws.endpoint, credentials: node });
    const nid = await client.send(new GetCallerIdentityCommand({}));
    assert.equal(nid.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/node-role/i-0123456789abcdef0`);
    assert.equal(nid.UserId, 'AROANODEROLEEXAMPLE01:i-0123456789abcdef0');
    client.destroy();
  });

  it('fetches the JWKS once and serves later tokens from the cache', async () => {
    const before = aws.jwks.fetches;
    for (let i = 0; i < 3; i++)
      await sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token())));
    assert.equal(aws.jwks.fetches, before);
  });
});

describe('AssumeRole (role chaining)', () => {
  async function session() {
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token())));
    const c = out.Credentials!;
    return stsClientFor(aws.endpoint, c);
  }

  it('chains from a web-identity session into a role that trusts it', async () => {
    const client = await session();
    const out = await client.send(new AssumeRoleCommand({ RoleArn: CHAIN_ROLE, RoleSessionName: 'chained' }));
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/chain-target/chained`);
    const c = out.Credentials!;
    const chained = stsClientFor(aws.endpoint, c);
    assert.equal((await chained.send(new GetCallerIdentityCommand({}))).Arn, out.AssumedRoleUser?.Arn);
    chained.destroy();
    client.destroy();
  });

  it('ExternalId conditions and session tags need what the trust policy says', async () => {
    const admin = new IAMClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials: ADMIN });
    await admin.send(
      new CreateRoleCommand({
        RoleName: 'ext-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: ROLE },
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Condition: { StringEquals: { 'sts:ExternalId': 'secret-123' } },
            },
          ],
        }),
      }),
    );
    admin.destroy();
    const client = await session();
    const RoleArn = `arn:aws:iam::${ACCOUNT}:role/ext-role`;
    await refused(
      client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'x1', ExternalId: 'wrong-1' })),
      {
        name: 'AccessDenied',
        status: 403,
      },
    );
    const out = await client.send(
      new AssumeRoleCommand({
        RoleArn,
        RoleSessionName: 'x1',
        ExternalId: 'secret-123',
        Tags: [{ Key: 'team', Value: 'blue' }],
      }),
    );
    assert.ok((out.PackedPolicySize ?? 0) > 0);
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/ext-role/x1`);
    client.destroy();
  });

  it('caps a chained session at one hour', async () => {
    const client = await session();
    await refused(
      client.send(
        new AssumeRoleCommand({ RoleArn: CHAIN_ROLE, RoleSessionName: 'x1', DurationSeconds: 3601 }),
      ),
      {
        name: 'ValidationError',
        status: 400,
        message:
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      },
    );
    client.destroy();
  });

  it('refuses a role whose trust policy does not name the caller', async () => {
    const client = await session();
    await refused(client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'x1' })), {
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/app-role/my-session is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
    });
    client.destroy();
  });

  it('refuses root (administrator) credentials, as AWS does', async () => {
    const admin = new STSClient({ region: REGION, endpoint: aws.endpoint, credentials: ADMIN });
    await refused(admin.send(new AssumeRoleCommand({ RoleArn: CHAIN_ROLE, RoleSessionName: 'x1' })), {
      name: 'AccessDenied',
      status: 403,
      message: 'Roles may not be assumed by root accounts.',
    });
    admin.destroy();
  });
});

describe('AssumeRoleWithWebIdentity errors (code, status, message, SDK exception class)', () => {
  it('ValidationError: RoleSessionName pattern', async () => {
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token(), { RoleSessionName: 'a/b' }))),
      {
        name: 'ValidationError',
        status: 400,
        message:
          "1 validation error detected: Value 'a/b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      },
    );
  });

  it('ValidationError: several errors counted', async () => {
    await refused(
      sts.send(
        new AssumeRoleWithWebIdentityCommand(input('abc', { RoleSessionName: 'x', DurationSeconds: 60 })),
      ),
      {
        name: 'ValidationError',
        status: 400,
        message:
          "3 validation errors detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900; Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
      },
    );
  });

  it('ValidationError: Policy over 2048 characters and more than 10 PolicyArns', async () => {
    const arns = Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::${ACCOUNT}:policy/p${i}` }));
    await refused(
      sts.send(
        new AssumeRoleWithWebIdentityCommand(
          input(await issuer.token(), { Policy: 'x'.repeat(2049), PolicyArns: arns }),
        ),
      ),
      {
        name: 'ValidationError',
        status: 400,
        message:
          /^2 validation errors detected: .*'policy'.*length less than or equal to 2048.*'policyArns'.*less than or equal to 10$/,
      },
    );
  });

  it('ValidationError: DurationSeconds above the role MaxSessionDuration', async () => {
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token(), { DurationSeconds: 7201 }))),
      {
        name: 'ValidationError',
        status: 400,
        message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      },
    );
  });

  it('ValidationError: not a role ARN', async () => {
    await refused(
      sts.send(
        new AssumeRoleWithWebIdentityCommand(
          input(await issuer.token(), { RoleArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/x` }),
        ),
      ),
      { name: 'ValidationError', status: 400, message: 'Request ARN is invalid' },
    );
  });

  it('InvalidIdentityToken: no provider for iss', async () => {
    const iss = 'https://oidc.example.invalid/id/NOPE';
    const token = await issuer.sign({
      iss,
      sub: 's',
      aud: ['sts.amazonaws.com'],
      exp: Math.floor(Date.now() / 1000) + 60,
    });
    await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), {
      name: 'InvalidIdentityTokenException',
      status: 400,
      message: `No OpenIDConnect provider found in your account for ${iss}`,
    });
  });

  it('InvalidIdentityToken: incorrect audience', async () => {
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token({ aud: ['other'] })))),
      {
        name: 'InvalidIdentityTokenException',
        status: 400,
        message: 'Incorrect token audience',
      },
    );
  });

  it("InvalidIdentityToken: couldn't retrieve verification key (unknown kid)", async () => {
    const iat = Math.floor(Date.now() / 1000);
    const token = await issuer.sign(
      { iss: issuer.url, sub: 's', aud: ['sts.amazonaws.com'], iat, exp: iat + 60 },
      { kid: 'nope' },
    );
    await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), {
      name: 'InvalidIdentityTokenException',
      status: 400,
      message: TOKEN_MESSAGES.keyUnavailable,
    });
  });

  it('ExpiredTokenException: expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(
      sts.send(
        new AssumeRoleWithWebIdentityCommand(input(await issuer.token({ iat: now - 7200, exp: now - 3600 }))),
      ),
      {
        name: 'ExpiredTokenException',
        status: 400,
        message: /^Token expired: current date\/time \d+ must be before the expiration date\/time\d+$/,
      },
    );
  });

  it('AccessDenied: trust policy does not match sub', async () => {
    await refused(
      sts.send(
        new AssumeRoleWithWebIdentityCommand(
          input(await issuer.token({ sub: 'system:serviceaccount:default:other' })),
        ),
      ),
      {
        name: 'AccessDenied',
        status: 403,
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      },
    );
  });

  it('AccessDenied: unknown role (existence not revealed)', async () => {
    await refused(
      sts.send(
        new AssumeRoleWithWebIdentityCommand(
          input(await issuer.token(), { RoleArn: `arn:aws:iam::${ACCOUNT}:role/missing` }),
        ),
      ),
      {
        name: 'AccessDenied',
        status: 403,
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      },
    );
  });

  it('AccessDenied: session tags in the token need sts:TagSession', async () => {
    const token = await issuer.token({
      extra: { 'https://aws.amazon.com/tags': { principal_tags: { team: ['a'] } } },
    });
    await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), {
      name: 'AccessDenied',
      status: 403,
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    });
  });

  it('MalformedPolicyDocument: session policy that does not parse', async () => {
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token(), { Policy: '{"Version":' }))),
      {
        name: 'MalformedPolicyDocumentException',
        status: 400,
      },
    );
  });
});

describe('AssumeRoleWithWebIdentity attack cases', () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = () => {
    const iat = Math.floor(Date.now() / 1000);
    return {
      iss: issuer.url,
      sub: 'system:serviceaccount:default:app',
      aud: ['sts.amazonaws.com'],
      iat,
      nbf: iat,
      exp: iat + 600,
    };
  };
  const invalid = (message?: string | RegExp) => ({
    name: 'InvalidIdentityTokenException',
    status: 400,
    ...(message ? { message } : {}),
  });

  it('alg none', async () => {
    const token = `${b64({ alg: 'none', kid: issuer.rsa.kid })}.${b64(claims())}.`;
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(token))),
      invalid(TOKEN_MESSAGES.algorithm('none')),
    );
  });

  it('HS256 signed with the public key as the HMAC secret', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const secret = new TextEncoder().encode(JSON.stringify(issuer.rsa.publicJwk));
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: issuer.rsa.kid })
      .sign(secret);
    assert.ok(publicKey);
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(token))),
      invalid(TOKEN_MESSAGES.algorithm('HS256')),
    );
  });

  it('algorithm/key mismatch (ES256 header naming the RSA key)', async () => {
    const token = await issuer.sign(claims(), { alg: 'ES256', kid: issuer.rsa.kid });
    await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), invalid());
  });

  it('unknown kid', async () => {
    const token = await issuer.sign(claims(), { kid: 'rotated-away' });
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(token))),
      invalid(TOKEN_MESSAGES.keyUnavailable),
    );
  });

  it('tampered payload (sub changed after signing)', async () => {
    const token = await issuer.sign({ ...claims(), sub: 'system:serviceaccount:default:nobody' });
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64(claims())}.${s}`;
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(forged))),
      invalid(TOKEN_MESSAGES.signature),
    );
  });

  it('signed by a key the issuer never published', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: issuer.rsa.kid })
      .sign(privateKey);
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(token))),
      invalid(TOKEN_MESSAGES.signature),
    );
  });

  it('expired token', async () => {
    const c = claims();
    const token = await issuer.sign({ ...c, exp: c.iat - 1 });
    await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), {
      name: 'ExpiredTokenException',
      status: 400,
    });
  });

  it('nbf and iat in the future', async () => {
    const c = claims();
    const nbf = await issuer.sign({ ...c, nbf: c.iat + 3600, exp: c.iat + 7200 });
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(nbf))),
      invalid(/^Token not yet valid/),
    );
    const iat = await issuer.sign({ ...c, iat: c.iat + 3600, nbf: undefined, exp: c.iat + 7200 });
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(iat))),
      invalid(/^Token not yet valid/),
    );
  });

  it('wrong iss (same keys, other issuer URL; trailing slash is significant)', async () => {
    const token = await issuer.sign({ ...claims(), iss: `${issuer.url}/` });
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(token))),
      invalid(`No OpenIDConnect provider found in your account for ${issuer.url}/`),
    );
    const http = await issuer.sign({ ...claims(), iss: issuer.url.replace('https://', 'http://') });
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(http))),
      invalid(/^No OpenIDConnect provider found/),
    );
  });

  it('aud as a string and as an array: both forms match exactly, nothing else does', async () => {
    const ok1 = await issuer.sign({ ...claims(), aud: 'sts.amazonaws.com' });
    assert.ok((await sts.send(new AssumeRoleWithWebIdentityCommand(input(ok1)))).Credentials);
    const ok2 = await issuer.sign({ ...claims(), aud: ['other', 'sts.amazonaws.com'] });
    assert.equal(
      (await sts.send(new AssumeRoleWithWebIdentityCommand(input(ok2)))).Audience,
      'sts.amazonaws.com',
    );
    for (const aud of [
      'sts.amazonaws.com.evil',
      'sts.amazonaws.com,other',
      ['sts.amazonaws.com ', 'x'],
      [['sts.amazonaws.com']],
      [],
      42,
    ]) {
      const t = await issuer.sign({ ...claims(), aud });
      await refused(
        sts.send(new AssumeRoleWithWebIdentityCommand(input(t))),
        invalid('Incorrect token audience'),
      );
    }
  });

  it('oversized token (over 20000 characters) is a ValidationError', async () => {
    const token = await issuer.sign({ ...claims(), pad: 'x'.repeat(20000) });
    await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), {
      name: 'ValidationError',
      status: 400,
      message:
        "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
    });
  });

  it('garbage base64 and non-JWT input', async () => {
    for (const token of [
      '!!!!.@@@@.####',
      'not-a-jwt',
      `${b64({ alg: 'RS256' })}.%%%%.abc`,
      'e30.e30',
      `${'a'.repeat(30)}.${'b'.repeat(30)}.c`,
    ]) {
      await refused(
        sts.send(new AssumeRoleWithWebIdentityCommand(input(token))),
        invalid(TOKEN_MESSAGES.notJwt),
      );
    }
  });

  it('missing required claims', async () => {
    const { sub: _s, ...noSub } = claims();
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.sign(noSub)))),
      invalid('Missing a required claim: sub'),
    );
    const { aud: _a, ...noAud } = claims();
    await refused(
      sts.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.sign(noAud)))),
      invalid('Missing a required claim: aud'),
    );
  });
});

describe('stricter-than-AWS choices (documented in src/sts)', () => {
  const base = () => {
    const iat = Math.floor(Date.now() / 1000);
    return {
      iss: issuer.url,
      sub: 'system:serviceaccount:default:app',
      aud: ['sts.amazonaws.com'],
      iat,
      exp: iat + 600,
    };
  };

  it('time claims must be integers (the model: "an integer or a long integer")', async () => {
    const c = base();
    for (const bad of [{ exp: String(c.exp) }, { exp: c.exp + 0.5 }, { iat: 'yesterday' }]) {
      const token = await issuer.sign({ ...c, ...bad });
      await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), {
        name: 'InvalidIdentityTokenException',
        status: 400,
        message: /claim must be an integer$/,
      });
    }
  });

  it('a malformed https://aws.amazon.com/tags claim is refused', async () => {
    const token = await issuer.sign({
      ...base(),
      'https://aws.amazon.com/tags': { principal_tags: { team: [1] } },
    });
    await refused(sts.send(new AssumeRoleWithWebIdentityCommand(input(token))), {
      name: 'InvalidIdentityTokenException',
      status: 400,
      message: TOKEN_MESSAGES.tagsClaim,
    });
  });

  it("the discovery document's issuer must be the token's issuer (OIDC Discovery §4.3)", async () => {
    // A fresh endpoint, so the JWKS is not already cached.
    const other = await startAws({ caPems: [issuer.caPem] });
    await createIrsaRole(other, issuer);
    const client = new STSClient({
      region: REGION,
      endpoint: other.endpoint,
      credentials: { accessKeyId: 'u', secretAccessKey: 'u' },
    });
    issuer.discoveryIssuer = 'https://elsewhere.example/id/X';
    try {
      await refused(client.send(new AssumeRoleWithWebIdentityCommand(input(await issuer.token()))), {
        name: 'InvalidIdentityTokenException',
        status: 400,
        message: TOKEN_MESSAGES.keyUnavailable,
      });
    } finally {
      issuer.discoveryIssuer = undefined;
      client.destroy();
      await other.close();
    }
  });
});
