import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ADMIN, REGION, startS3, type TestS3 } from './helpers/server.js';

function client(
  s3: TestS3,
  creds = ADMIN as { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
) {
  return new S3Client({ endpoint: s3.url, region: REGION, credentials: creds, forcePathStyle: true });
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode === 304 ? '304' : err.name;
    return String(err);
  }
  return 'ok';
}

for (const mode of ['data dir', 'in-memory'] as const) {
  describe(`S3 with @aws-sdk/client-s3 (${mode})`, () => {
    let s3: TestS3;
    let dir: string;
    let c: S3Client;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
      s3 = await startS3(mode === 'data dir' ? dir : null);
      c = client(s3);
    });
    after(async () => {
      c.destroy();
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('creates, heads, lists and locates buckets; refuses bad names and duplicates', async () => {
      await c.send(new CreateBucketCommand({ Bucket: 'data' }));
      assert.equal(
        await code(c.send(new CreateBucketCommand({ Bucket: 'data' }))),
        'BucketAlreadyOwnedByYou',
      );
      assert.equal(await code(c.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))), 'InvalidBucketName');
      await c.send(new HeadBucketCommand({ Bucket: 'data' }));
      assert.equal(await code(c.send(new HeadBucketCommand({ Bucket: 'nope' }))), 'NotFound');
      const l = await c.send(new ListBucketsCommand({}));
      assert.deepEqual(
        l.Buckets?.map((b) => b.Name),
        ['data'],
      );
      const loc = await c.send(new GetBucketLocationCommand({ Bucket: 'data' }));
      assert.equal(loc.LocationConstraint ?? '', '');
    });

    it('puts and gets objects with metadata, ranges, conditionals and checksums', async () => {
      const put = await c.send(
        new PutObjectCommand({
          Bucket: 'data',
          Key: 'dir/hello.txt',
          Body: 'hello world',
          ContentType: 'text/plain',
          Metadata: { team: 'blue' },
          ChecksumAlgorithm: 'CRC32C',
        }),
      );
      assert.equal(put.ETag, `"${createHash('md5').update('hello world').digest('hex')}"`);
      const got = await c.send(
        new GetObjectCommand({ Bucket: 'data', Key: 'dir/hello.txt', ChecksumMode: 'ENABLED' }),
      );
      assert.equal(await got.Body!.transformToString(), 'hello world');
      assert.equal(got.ContentType, 'text/plain');
      assert.deepEqual(got.Metadata, { team: 'blue' });
      assert.ok(got.ChecksumCRC32C);
      const r = await c.send(
        new GetObjectCommand({ Bucket: 'data', Key: 'dir/hello.txt', Range: 'bytes=6-' }),
      );
      assert.equal(await r.Body!.transformToString(), 'world');
      assert.equal(r.ContentRange, 'bytes 6-10/11');
      assert.equal(
        await code(
          c.send(new GetObjectCommand({ Bucket: 'data', Key: 'dir/hello.txt', Range: 'bytes=50-' })),
        ),
        'InvalidRange',
      );
      assert.equal(
        await code(
          c.send(new GetObjectCommand({ Bucket: 'data', Key: 'dir/hello.txt', IfNoneMatch: put.ETag })),
        ),
        '304',
      );
      assert.equal(
        await code(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'dir/hello.txt', IfMatch: '"nope"' }))),
        'PreconditionFailed',
      );
      const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'dir/hello.txt' }));
      assert.equal(head.ContentLength, 11);
      assert.equal(await code(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'missing' }))), 'NoSuchKey');
      assert.equal(await code(c.send(new GetObjectCommand({ Bucket: 'nope', Key: 'x' }))), 'NoSuchBucket');
      for (const alg of ['CRC32', 'SHA1', 'SHA256'] as const) {
        await c.send(
          new PutObjectCommand({ Bucket: 'data', Key: `sum-${alg}`, Body: 'abc', ChecksumAlgorithm: alg }),
        );
      }
      // Content-MD5 that does not match the body.
      assert.equal(
        await code(
          c.send(
            new PutObjectCommand({
              Bucket: 'data',
              Key: 'bad',
              Body: 'abc',
              ContentMD5: createHash('md5').update('x').digest('base64'),
            }),
          ),
        ),
        'BadDigest',
      );
    });

    it('lists with prefix, delimiter, max-keys, continuation and start-after (v2 and v1)', async () => {
      for (const k of ['a/1', 'a/2', 'b/1', 'c', 'd'])
        await c.send(new PutObjectCommand({ Bucket: 'data', Key: `l/${k}`, Body: k }));
      const v2 = await c.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'l/', Delimiter: '/' }));
      assert.deepEqual(
        v2.CommonPrefixes?.map((p) => p.Prefix),
        ['l/a/', 'l/b/'],
      );
      assert.deepEqual(
        v2.Contents?.map((o) => o.Key),
        ['l/c', 'l/d'],
      );
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await c.send(
          new ListObjectsV2Command({ Bucket: 'data', Prefix: 'l/', MaxKeys: 2, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      assert.deepEqual(keys, ['l/a/1', 'l/a/2', 'l/b/1', 'l/c', 'l/d']);
      const sa = await c.send(
        new ListObjectsV2Command({ Bucket: 'data', Prefix: 'l/', StartAfter: 'l/b/1' }),
      );
      assert.deepEqual(
        sa.Contents?.map((o) => o.Key),
        ['l/c', 'l/d'],
      );
      const paged: string[] = [];
      let marker: string | undefined;
      for (;;) {
        const p = await c.send(
          new ListObjectsCommand({
            Bucket: 'data',
            Prefix: 'l/',
            Delimiter: '/',
            MaxKeys: 1,
            Marker: marker,
          }),
        );
        paged.push(
          ...(p.CommonPrefixes ?? []).map((x) => x.Prefix!),
          ...(p.Contents ?? []).map((o) => o.Key!),
        );
        if (!p.IsTruncated) break;
        marker = p.NextMarker;
      }
      assert.deepEqual(paged, ['l/a/', 'l/b/', 'l/c', 'l/d']);
    });

    it('copies, tags, deletes one and many, and refuses deleting a non-empty bucket', async () => {
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'src', Body: 'copy me', Tagging: 'k=v' }));
      await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'dst', CopySource: 'data/src' }));
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'dst' }));
      assert.equal(await got.Body!.transformToString(), 'copy me');
      await c.send(
        new PutObjectTaggingCommand({
          Bucket: 'data',
          Key: 'dst',
          Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] },
        }),
      );
      const t = await c.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'dst' }));
      assert.deepEqual(t.TagSet, [{ Key: 'a', Value: 'b' }]);
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'src' }));
      const d = await c.send(
        new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'dst' }, { Key: 'never' }] } }),
      );
      assert.deepEqual(d.Deleted?.map((x) => x.Key).sort(), ['dst', 'never']);
      assert.equal(await code(c.send(new DeleteBucketCommand({ Bucket: 'data' }))), 'BucketNotEmpty');
      await c.send(new CreateBucketCommand({ Bucket: 'empty' }));
      await c.send(new DeleteBucketCommand({ Bucket: 'empty' }));
    });

    it('uploads multipart with lib-storage and computes the multipart ETag', async () => {
      const part = 5 * 1024 * 1024;
      const body = Buffer.alloc(part * 2 + 1234);
      for (let i = 0; i < body.length; i += 4096) body[i] = (i / 4096) & 0xff;
      const up = new Upload({
        client: c,
        params: { Bucket: 'data', Key: 'big/multi.bin', Body: body },
        partSize: part,
        queueSize: 2,
      });
      const res = await up.done();
      const md5s = [body.subarray(0, part), body.subarray(part, 2 * part), body.subarray(2 * part)].map((b) =>
        createHash('md5').update(b).digest(),
      );
      const expected = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-3"`;
      assert.equal(res.ETag, expected);
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'big/multi.bin' }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      assert.ok(bytes.equals(body));
      const ranged = await c.send(
        new GetObjectCommand({
          Bucket: 'data',
          Key: 'big/multi.bin',
          Range: `bytes=${part - 2}-${part + 1}`,
        }),
      );
      assert.ok(
        Buffer.from(await ranged.Body!.transformToByteArray()).equals(body.subarray(part - 2, part + 2)),
      );
      const ups = await c.send(new ListMultipartUploadsCommand({ Bucket: 'data' }));
      assert.equal(ups.Uploads?.length ?? 0, 0);
    });

    it('serves presigned GET and PUT URLs and refuses them once expired', async () => {
      const putUrl = await getSignedUrl(c, new PutObjectCommand({ Bucket: 'data', Key: 'presigned.txt' }), {
        expiresIn: 60,
      });
      const put = await fetch(putUrl, { method: 'PUT', body: 'via presign' });
      assert.equal(put.status, 200);
      const getUrl = await getSignedUrl(c, new GetObjectCommand({ Bucket: 'data', Key: 'presigned.txt' }), {
        expiresIn: 60,
      });
      const get = await fetch(getUrl);
      assert.equal(await get.text(), 'via presign');
      s3.clock.now = Date.now() + 120_000;
      try {
        const late = await fetch(getUrl);
        assert.equal(late.status, 403);
        const text = await late.text();
        assert.match(text, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
      } finally {
        s3.clock.now = null;
      }
    });

    it('stores and validates bucket policies', async () => {
      assert.equal(
        await code(
          c.send(new PutBucketPolicyCommand({ Bucket: 'data', Policy: '{"Version":"2012-10-17"}' })),
        ),
        'MalformedPolicy',
      );
      const text = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/public/*' },
        ],
      });
      await c.send(new PutBucketPolicyCommand({ Bucket: 'data', Policy: text }));
      const got = await c.send(new GetBucketPolicyCommand({ Bucket: 'data' }));
      assert.equal(got.Policy, text);
    });
  });
}
