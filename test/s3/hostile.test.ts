import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { crc32 } from '../../src/s3/index.js';
import { send, sendPrepared, signedStreamingPut } from './helpers/raw-client.js';
import { startS3, type TestS3 } from './helpers/server.js';

const codeOf = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

describe('S3 under hostile input', () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startS3(null);
    assert.equal((await send(s3.port, 'PUT', '/box')).status, 200);
  });
  after(() => s3.close());

  it('accepts signed aws-chunked uploads, with and without a signed checksum trailer', async () => {
    const payload = Buffer.alloc(200_000, 3);
    let p = signedStreamingPut(s3.port, '/box/chunked', payload, 65536);
    let r = await sendPrepared(s3.port, 'PUT', '/box/chunked', p.headers, p.body);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers.etag, `"${createHash('md5').update(payload).digest('hex')}"`);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc32(0, payload));
    p = signedStreamingPut(s3.port, '/box/trailer', payload, 65536, {
      name: 'x-amz-checksum-crc32',
      value: sum.toString('base64'),
    });
    r = await sendPrepared(s3.port, 'PUT', '/box/trailer', p.headers, p.body);
    assert.equal(r.status, 200, r.body);
    const got = await send(s3.port, 'GET', '/box/trailer');
    assert.equal(got.body.length, payload.length);
  });

  it('refuses tampered chunks, bad trailers and broken chunk framing without storing anything', async () => {
    const payload = Buffer.alloc(100_000, 5);
    const p = signedStreamingPut(s3.port, '/box/bad', payload, 65536);
    const tampered = Buffer.from(p.body);
    tampered[200] = (tampered[200] ?? 0) ^ 1;
    let r = await sendPrepared(s3.port, 'PUT', '/box/bad', p.headers, tampered);
    assert.equal(codeOf(r.body), 'SignatureDoesNotMatch');
    const q = signedStreamingPut(s3.port, '/box/bad', payload, 65536, {
      name: 'x-amz-checksum-crc32',
      value: 'AAAAAA==',
    });
    r = await sendPrepared(s3.port, 'PUT', '/box/bad', q.headers, q.body);
    assert.equal(codeOf(r.body), 'BadDigest');
    for (const broken of [
      p.body.subarray(0, p.body.length - 40),
      Buffer.concat([Buffer.from('zz;chunk-signature=00\r\n'), p.body]),
      Buffer.from(`${'f'.repeat(5000)}\r\n`),
    ]) {
      r = await sendPrepared(s3.port, 'PUT', '/box/bad', p.headers, broken);
      assert.ok([400, 403].includes(r.status), `${r.status} ${r.body}`);
    }
    assert.equal((await send(s3.port, 'GET', '/box/bad')).status, 404);
  });

  it('answers bad signatures with the canonical request and string to sign', async () => {
    const r = await send(s3.port, 'GET', '/box/x', {
      creds: { accessKeyId: 'AKIAIRSAKITADMIN0001', secretAccessKey: 'wrong' },
    });
    assert.equal(r.status, 403);
    assert.equal(codeOf(r.body), 'SignatureDoesNotMatch');
    assert.match(r.body, /<CanonicalRequest>GET\n\/box\/x\n/);
    assert.match(r.body, /<StringToSign>AWS4-HMAC-SHA256\n/);
    assert.match(r.body, /<AWSAccessKeyId>AKIAIRSAKITADMIN0001<\/AWSAccessKeyId>/);
    const unknown = await send(s3.port, 'GET', '/box/x', {
      creds: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
    });
    assert.equal(codeOf(unknown.body), 'InvalidAccessKeyId');
  });

  it('refuses expired and tampered session credentials', async () => {
    const creds = s3.session([], 'short', 900);
    s3.clock.now = Date.now() + 3600_000;
    try {
      const r = await send(s3.port, 'GET', '/box/x', { creds, now: s3.clock.now });
      assert.equal(codeOf(r.body), 'ExpiredToken');
    } finally {
      s3.clock.now = null;
    }
    const t = creds.sessionToken;
    const tampered = {
      ...creds,
      sessionToken: `${t.slice(0, 20)}${t[20] === 'A' ? 'B' : 'A'}${t.slice(21)}`,
    };
    const r = await send(s3.port, 'GET', '/box/x', { creds: tampered });
    assert.equal(codeOf(r.body), 'InvalidToken');
  });

  it('refuses a body that does not match x-amz-content-sha256 or Content-MD5', async () => {
    let r = await send(s3.port, 'PUT', '/box/m', {
      body: 'abc',
      payloadHash: createHash('sha256').update('abd').digest('hex'),
    });
    assert.equal(codeOf(r.body), 'XAmzContentSHA256Mismatch');
    r = await send(s3.port, 'PUT', '/box/m', {
      body: 'abc',
      headers: { 'content-md5': createHash('md5').update('x').digest('base64') },
    });
    assert.equal(codeOf(r.body), 'BadDigest');
    assert.equal((await send(s3.port, 'GET', '/box/m')).status, 404);
  });

  it('treats "../" in keys as plain key text, never as a path', async () => {
    for (const key of ['../../etc/passwd', '..%2F..%2Fescape', 'a/./b//c/..']) {
      const path = `/box/${key}`;
      const r = await send(s3.port, 'PUT', path, { body: `key ${key}` });
      assert.equal(r.status, 200, r.body);
      const g = await send(s3.port, 'GET', path);
      assert.equal(g.body, `key ${key}`);
    }
    const list = await send(s3.port, 'GET', '/box?list-type=2&prefix=..');
    assert.match(list.body, /<Key>..\/..\/etc\/passwd<\/Key>/);
  });

  it('survives oversized headers, malformed XML, bad ranges and unknown sub-resources', async () => {
    const status = await new Promise<number>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: s3.port, path: '/box/x', headers: { 'x-big': 'a'.repeat(64 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', () => resolve(0));
      req.end();
    });
    assert.ok(status === 431 || status === 0 || status === 400);
    let r = await send(s3.port, 'POST', '/box?delete', { body: '<Delete><Object><Key>x' });
    assert.equal(codeOf(r.body), 'MalformedXML');
    await send(s3.port, 'PUT', '/box/r', { body: 'hello' });
    r = await send(s3.port, 'GET', '/box/r', { headers: { range: 'bytes=10-20' } });
    assert.equal(r.status, 416);
    assert.equal(codeOf(r.body), 'InvalidRange');
    r = await send(s3.port, 'GET', '/box?versioning');
    assert.equal(codeOf(r.body), 'NotImplemented');
    r = await send(s3.port, 'PUT', '/box/big', { headers: { 'x-amz-meta-a': 'x'.repeat(3000) } });
    assert.equal(codeOf(r.body), 'MetadataTooLarge');
    r = await send(s3.port, 'PUT', `/box/${'k'.repeat(1100)}`, { body: 'x' });
    assert.equal(codeOf(r.body), 'KeyTooLongError');
    // Still serving.
    assert.equal((await send(s3.port, 'GET', '/box/r')).body, 'hello');
  });
});
