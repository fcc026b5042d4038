import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ACCOUNT, ADMIN, policy, REGION, startS3, type TestS3 } from './helpers/server.js';

const BUCKET = 'app-data';
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/s3-reader/SESSION`;
const READER = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/allowed/*` },
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
  ],
};

async function denial(p: Promise<unknown>): Promise<{ code: string; message: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException)
      return { code: err.name, message: err.message, status: err.$metadata.httpStatusCode };
    throw err;
  }
  throw new Error('expected the request to be refused');
}

const msg = (action: string, resource: string, tail: string) =>
  `User: ${SESSION_ARN} is not authorized to perform: ${action} on resource: "${resource}" ${tail}`;

describe('S3 authorization: the seed scenario with role-session credentials', () => {
  let s3: TestS3;
  let admin: S3Client;
  const sessionClient = (policies: string[] = []) => {
    const creds = s3.session(policies);
    return new S3Client({
      endpoint: s3.url,
      region: REGION,
      forcePathStyle: true,
      credentials: creds,
      maxAttempts: 1,
    });
  };
  before(async () => {
    s3 = await startS3(null);
    admin = new S3Client({ endpoint: s3.url, region: REGION, forcePathStyle: true, credentials: ADMIN });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await admin.send(new CreateBucketCommand({ Bucket: 'other' }));
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'allowed/report.csv', Body: 'a,b' }));
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'secret/keys.txt', Body: 'x' }));
  });
  after(async () => {
    admin.destroy();
    await s3.close();
  });
  beforeEach(() => {
    s3.fixtures.identity = [policy('s3-reader', READER)];
    s3.fixtures.boundary = null;
    s3.fixtures.scps = [];
  });

  it('reads and lists what the role allows', async () => {
    const c = sessionClient();
    const got = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'allowed/report.csv' }));
    assert.equal(await got.Body!.transformToString(), 'a,b');
    const l = await c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'allowed/' }));
    assert.deepEqual(
      l.Contents?.map((o) => o.Key),
      ['allowed/report.csv'],
    );
    // A missing key is NoSuchKey because the role may s3:ListBucket.
    const missing = await denial(c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'allowed/none' })));
    assert.equal(missing.code, 'NoSuchKey');
  });

  it('denies PutObject, another bucket and a key outside the prefix with AWS messages', async () => {
    const c = sessionClient();
    const put = await denial(c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'allowed/new', Body: 'x' })));
    assert.equal(put.code, 'AccessDenied');
    assert.equal(put.status, 403);
    assert.equal(
      put.message,
      msg(
        's3:PutObject',
        `arn:aws:s3:::${BUCKET}/allowed/new`,
        'because no identity-based policy allows the s3:PutObject action',
      ),
    );
    const other = await denial(c.send(new ListObjectsV2Command({ Bucket: 'other' })));
    assert.equal(
      other.message,
      msg(
        's3:ListBucket',
        'arn:aws:s3:::other',
        'because no identity-based policy allows the s3:ListBucket action',
      ),
    );
    const outside = await denial(c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'secret/keys.txt' })));
    assert.equal(
      outside.message,
      msg(
        's3:GetObject',
        `arn:aws:s3:::${BUCKET}/secret/keys.txt`,
        'because no identity-based policy allows the s3:GetObject action',
      ),
    );
  });

  it('hides a missing key as 403 when the caller may not list the bucket', async () => {
    s3.fixtures.identity = [policy('get-only', { Version: '2012-10-17', Statement: [READER.Statement[0]] })];
    const r = await denial(
      sessionClient().send(new GetObjectCommand({ Bucket: BUCKET, Key: 'allowed/none' })),
    );
    assert.equal(r.code, 'AccessDenied');
    assert.equal(r.status, 403);
  });

  it('names the SCP, the permissions boundary, the session policy and the bucket policy', async () => {
    const key = 'allowed/report.csv';
    const arn = `arn:aws:s3:::${BUCKET}/${key}`;
    s3.fixtures.scps = [
      [
        policy(
          'FullAWSAccess',
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          'scp',
        ),
      ],
      [
        policy(
          'deny-s3',
          { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }] },
          'scp',
        ),
      ],
    ];
    let r = await denial(sessionClient().send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
    assert.equal(r.message, msg('s3:GetObject', arn, 'with an explicit deny in a service control policy'));
    s3.fixtures.scps = [];

    s3.fixtures.boundary = policy(
      'boundary',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] },
      'boundary',
    );
    r = await denial(sessionClient().send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
    assert.equal(
      r.message,
      msg('s3:GetObject', arn, 'because no permissions boundary allows the s3:GetObject action'),
    );
    s3.fixtures.boundary = null;

    const sessionPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
    });
    r = await denial(sessionClient([sessionPolicy]).send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
    assert.equal(
      r.message,
      msg('s3:GetObject', arn, 'because no session policy allows the s3:GetObject action'),
    );

    await admin.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${BUCKET}/allowed/*`,
            },
          ],
        }),
      }),
    );
    try {
      r = await denial(sessionClient().send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
      assert.equal(r.message, msg('s3:GetObject', arn, 'with an explicit deny in a resource-based policy'));
    } finally {
      await admin.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    }
  });

  it('authorizes DeleteObjects per key', async () => {
    s3.fixtures.identity = [
      policy('del', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/tmp/*` }],
      }),
    ];
    const r = await sessionClient().send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'tmp/a' }, { Key: 'secret/keys.txt' }] },
      }),
    );
    assert.deepEqual(
      r.Deleted?.map((d) => d.Key),
      ['tmp/a'],
    );
    assert.equal(r.Errors?.[0]?.Key, 'secret/keys.txt');
    assert.equal(r.Errors?.[0]?.Code, 'AccessDenied');
  });

  it('allows anonymous requests only through a public bucket policy', async () => {
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'public/index.html', Body: 'hi' }));
    let res = await fetch(`${s3.url}/${BUCKET}/public/index.html`);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
    await admin.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${BUCKET}/public/*`,
            },
          ],
        }),
      }),
    );
    res = await fetch(`${s3.url}/${BUCKET}/public/index.html`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hi');
    res = await fetch(`${s3.url}/${BUCKET}/allowed/report.csv`);
    assert.equal(res.status, 403);
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  });
});
