import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AwsError,
  createAwsEndpoint,
  createCredentials,
  formatAmzDate,
  type JsonService,
  type QueryService,
  signRequest,
} from '../../src/aws/index.js';

const ACCOUNT = '111122223333';
const ADMIN = {
  accessKeyId: 'AKIAIRSAKITADMIN0001',
  secretAccessKey: 'adminSecretKeyForTests0000000000000000000',
};
const credentials = createCredentials({
  account: ACCOUNT,
  admin: ADMIN,
  sessionKey: randomBytes(32),
  now: Date.now,
  random: randomBytes,
});

const query: QueryService = {
  protocol: 'query',
  signingName: 'sts',
  version: '2011-06-15',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  unsignedActions: ['Echo'],
  actions: {
    Echo: async (params) => ({
      Value: params.get('Value'),
      List: ['a<b', 'c&d'],
      When: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    }),
    GetCallerIdentity: async (_p, ctx) => ({
      UserId: ctx.caller.userId,
      Account: ctx.caller.accountId,
      Arn: ctx.caller.arn,
    }),
    Boom: async () => {
      throw new Error('bug');
    },
  },
};
const json: JsonService = {
  protocol: 'json',
  signingName: 'organizations',
  targetPrefix: 'AWSOrganizationsV20161128',
  operations: {
    Fail: async () => {
      throw new AwsError(
        'AWSOrganizationsNotInUseException',
        'Your account is not a member of an organization.',
        400,
      );
    },
  },
};

let server: Server;
let base: string;
before(async () => {
  server = createServer(
    createAwsEndpoint({
      services: [query, json],
      credentials,
      account: ACCOUNT,
      region: 'us-east-1',
      maxBodyBytes: 4096,
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function signed(body: string, opts: { now?: number; secret?: string; token?: string; keyId?: string } = {}) {
  const host = new URL(base).host;
  const s = signRequest({
    method: 'POST',
    url: '/',
    headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
    body,
    credentials: {
      accessKeyId: opts.keyId ?? ADMIN.accessKeyId,
      secretAccessKey: opts.secret ?? ADMIN.secretAccessKey,
      ...(opts.token ? { sessionToken: opts.token } : {}),
    },
    region: 'us-east-1',
    service: 'sts',
    now: opts.now ?? Date.now(),
  });
  const { host: _h, ...headers } = s.headers;
  return headers;
}

const errorXml = (code: string, type = 'Sender') =>
  new RegExp(
    `^<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>.*</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`,
    's',
  );

describe('AWS endpoint', () => {
  it('renders a Query result as XML, escaped, arrays as member, dates in whole seconds', async () => {
    const r = await post('Action=Echo&Version=2011-06-15&Value=x%3Cy');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/xml');
    const id = r.headers.get('x-amzn-requestid') ?? '';
    assert.equal(
      r.text,
      `<EchoResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><EchoResult><Value>x&lt;y</Value><List><member>a&lt;b</member><member>c&amp;d</member></List><When>2026-01-02T03:04:05Z</When></EchoResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></EchoResponse>`,
    );
  });

  it('signed action without a signature: MissingAuthenticationToken 403', async () => {
    const r = await post('Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(r.status, 403);
    assert.match(r.text, errorXml('MissingAuthenticationToken'));
    assert.match(r.text, /<Message>Request is missing Authentication Token<\/Message>/);
  });

  it('accepts a correct signature (header and presigned query forms)', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const r = await post(body, signed(body));
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<Arn>arn:aws:iam::111122223333:root<\/Arn>/);
    const host = new URL(base).host;
    const p = signRequest({
      method: 'GET',
      url: '/?Action=GetCallerIdentity&Version=2011-06-15',
      headers: { host },
      credentials: ADMIN,
      region: 'us-east-1',
      service: 'sts',
      now: Date.now(),
      presignExpiresSeconds: 60,
    });
    const g = await fetch(`${base}${p.url}`);
    assert.equal(g.status, 200, await g.clone().text());
  });

  it('SignatureDoesNotMatch 403 for a wrong secret or a changed body', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const r = await post(body, signed(body, { secret: 'wrong' }));
    assert.equal(r.status, 403);
    assert.match(r.text, errorXml('SignatureDoesNotMatch'));
    assert.ok(
      r.text.includes(
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      ),
    );
    const r2 = await post(`${body}&X=1`, signed(body));
    assert.equal(r2.status, 403);
  });

  it('InvalidClientTokenId 403 for an unknown key or a tampered session token', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const r = await post(body, signed(body, { keyId: 'AKIAUNKNOWNKEY000001' }));
    assert.equal(r.status, 403);
    assert.match(
      r.text,
      /<Code>InvalidClientTokenId<\/Code><Message>The security token included in the request is invalid\.<\/Message>/,
    );
    const s = credentials.issueSessionCredentials({
      role: { arn: `arn:aws:iam::${ACCOUNT}:role/r`, roleId: 'AROAEXAMPLE000000001', roleName: 'r' },
      sessionName: 's',
      durationSeconds: 900,
    });
    const bad = `${s.sessionToken.slice(0, 20)}${s.sessionToken[20] === 'A' ? 'B' : 'A'}${s.sessionToken.slice(21)}`;
    const r2 = await post(
      body,
      signed(body, { keyId: s.accessKeyId, secret: s.secretAccessKey, token: bad }),
    );
    assert.equal(r2.status, 403);
    assert.match(r2.text, /<Code>InvalidClientTokenId<\/Code>/);
  });

  it('ExpiredToken 400 for an expired session (SDK: ExpiredToken)', async () => {
    // Issued an hour and a half ago for 15 minutes.
    let clock = Date.now() - 5_400_000;
    const c2 = createCredentials({
      account: ACCOUNT,
      admin: ADMIN,
      sessionKey: randomBytes(32),
      now: () => clock,
      random: randomBytes,
    });
    const s = c2.issueSessionCredentials({
      role: { arn: `arn:aws:iam::${ACCOUNT}:role/r`, roleId: 'AROAEXAMPLE000000001', roleName: 'r' },
      sessionName: 's',
      durationSeconds: 900,
    });
    clock = Date.now();
    const srv = createServer(
      createAwsEndpoint({ services: [query], credentials: c2, account: ACCOUNT, region: 'us-east-1' }),
    );
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const client = new STSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
      credentials: s,
      maxAttempts: 1,
    });
    await assert.rejects(
      client.send(new GetCallerIdentityCommand({})),
      (e: Error & { $metadata: { httpStatusCode: number } }) => {
        assert.equal(e.name, 'ExpiredToken');
        assert.equal(e.message, 'The security token included in the request is expired');
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    client.destroy();
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  });

  it('SignatureDoesNotMatch "Signature expired" outside the 15-minute window', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const then = Date.now() - 16 * 60_000;
    const r = await post(body, signed(body, { now: then }));
    assert.equal(r.status, 403);
    assert.match(
      r.text,
      new RegExp(
        `<Message>Signature expired: ${formatAmzDate(then)} is now earlier than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z - 15 min\\.\\)</Message>`,
      ),
    );
  });

  it('IncompleteSignature 400 for a malformed Authorization header', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const r = await post(body, {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIRSAKITADMIN0001/20260101/us-east-1/sts/aws4_request',
      'x-amz-date': '20260101T000000Z',
    });
    assert.equal(r.status, 400);
    assert.match(
      r.text,
      /<Code>IncompleteSignature<\/Code><Message>Authorization header requires &apos;Signature&apos; parameter\. Authorization header requires &apos;SignedHeaders&apos; parameter\. Authorization=AWS4/,
    );
  });

  it('MissingAction, InvalidAction and an internal error never crash the listener', async () => {
    // No Action names no service: the envelope then carries no xmlns.
    assert.match(
      (await post('Version=2011-06-15')).text,
      /^<ErrorResponse><Error><Type>Sender<\/Type><Code>MissingAction<\/Code>/,
    );
    const boomBody = 'Action=Boom&Version=2011-06-15';
    const internal = await post(boomBody, signed(boomBody));
    assert.equal(internal.status, 500);
    assert.match(internal.text, errorXml('InternalFailure', 'Receiver'));
    assert.match((await post('Action=Nope&Version=2011-06-15')).text, /<Code>InvalidAction<\/Code>/);
    const boom = await post('Action=Echo&Version=1999-01-01');
    assert.match(boom.text, /<Code>InvalidAction<\/Code>/);
    const r = await fetch(`${base}/`, {
      method: 'POST',
      body: '%%%&&&===\u0000',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r.status, 400);
  });

  it('rejects a body above the limit with 413 RequestEntityTooLarge', async () => {
    const r = await post(`Action=Echo&Value=${'x'.repeat(5000)}`);
    assert.equal(r.status, 413);
    assert.match(r.text, /<Code>RequestEntityTooLarge<\/Code>/);
  });

  it('renders JSON 1.1 errors with __type, message and x-amzn-ErrorType', async () => {
    const host = new URL(base).host;
    const body = '{}';
    const s = signRequest({
      method: 'POST',
      url: '/',
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSOrganizationsV20161128.Fail',
      },
      body,
      credentials: ADMIN,
      region: 'us-east-1',
      service: 'organizations',
      now: Date.now(),
    });
    const { host: _h, ...headers } = s.headers;
    const r = await fetch(`${base}/`, { method: 'POST', body, headers });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'AWSOrganizationsNotInUseException');
    assert.deepEqual(await r.json(), {
      __type: 'AWSOrganizationsNotInUseException',
      message: 'Your account is not a member of an organization.',
    });
    const u = await fetch(`${base}/`, {
      method: 'POST',
      body: '{}',
      headers: {
        'x-amz-target': 'AWSOrganizationsV20161128.Fail',
        'content-type': 'application/x-amz-json-1.1',
      },
    });
    assert.equal(u.status, 403);
    assert.equal(((await u.json()) as { __type: string }).__type, 'MissingAuthenticationToken');
  });
});

describe('malformed input never crashes the listener', () => {
  function raw(head: string, body = ''): Promise<string> {
    const { hostname, port } = new URL(base);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => socket.end(`${head}\r\n\r\n${body}`));
      let out = '';
      socket.on('data', (c) => {
        out += c;
      });
      socket.on('close', () => resolve(out));
      socket.on('error', () => resolve(out));
    });
  }

  it('answers every odd request with a status line, and keeps serving', async () => {
    const cases: [string, string][] = [
      [
        'POST /?%ZZ=%E0%A4%A HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\nConnection: close',
        'Action=%%',
      ],
      [
        'POST / HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=%FF/../../..,,SignedHeaders=;;;,Signature=zz\r\nX-Amz-Date: 99999999T999999Z\r\nContent-Length: 0\r\nConnection: close',
        '',
      ],
      [
        'GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Date=x&X-Amz-SignedHeaders=host&X-Amz-Signature=0 HTTP/1.1\r\nHost: x\r\nConnection: close',
        '',
      ],
      ['POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: \r\nContent-Length: 3\r\nConnection: close', '{{{'],
      [
        'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSOrganizationsV20161128.Fail\r\nContent-Length: 5\r\nConnection: close',
        '[1,2]',
      ],
      [
        `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Security-Token: ${'A'.repeat(20000)}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=ASIAAAAAAAAAAAAAAAAA/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}\r\nX-Amz-Date: 20260101T000000Z\r\nContent-Length: 0\r\nConnection: close`,
        '',
      ],
    ];
    for (const [head, body] of cases) {
      const out = await raw(head, body);
      assert.match(out, /^HTTP\/1\.1 [45]\d\d /, head.slice(0, 60));
    }
    const ok = await post('Action=Echo&Version=2011-06-15&Value=still-alive');
    assert.equal(ok.status, 200);
  });
});
