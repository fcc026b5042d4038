import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INLINE_MAX } from '../../src/s3/index.js';
import { send } from './helpers/raw-client.js';
import { startS3, type TestS3 } from './helpers/server.js';

const md5 = (s: string) => `"${createHash('md5').update(s).digest('hex')}"`;

describe('S3 small bodies stored inline with their metadata', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
  let s3: TestS3;
  before(async () => {
    s3 = await startS3(join(dir, 'data'));
    assert.equal((await send(s3.port, 'PUT', '/inline')).status, 200);
  });
  after(async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const files = () => readdirSync(join(dir, 'data', 's3', 'objects')).length;
  const bodies = () => (s3.store.db.prepare('SELECT COUNT(*) AS n FROM s3_bodies').get() as { n: number }).n;
  /** Orphaned blob files are unlinked once their replacement has committed; wait for that, boundedly. */
  async function settle(expectedFiles: number): Promise<void> {
    for (let i = 0; i < 100 && files() !== expectedFiles; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(files(), expectedFiles, 'blob files');
  }
  const put = async (key: string, body: string) => {
    const r = await send(s3.port, 'PUT', `/inline/${key}`, { body });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers.etag, md5(body));
  };
  const get = async (key: string, headers: Record<string, string> = {}) =>
    send(s3.port, 'GET', `/inline/${key}`, { headers });

  it('keeps bodies up to INLINE_MAX in the store and larger ones in files, across overwrites', async () => {
    const small = 'a'.repeat(1024);
    await put('k', small);
    assert.equal((await get('k')).body, small);
    assert.equal(files(), 0);
    assert.equal(bodies(), 1);

    const large = 'b'.repeat(INLINE_MAX + 1);
    await put('k', large);
    assert.equal((await get('k')).body, large);
    assert.equal(bodies(), 0, 'the inline body went with the version it belonged to');
    await settle(1);

    const edge = 'c'.repeat(INLINE_MAX);
    await put('k', edge);
    assert.equal((await get('k')).body, edge);
    assert.equal(bodies(), 1);
    await settle(0);

    await put('k', 'd'.repeat(10));
    assert.equal((await get('k')).body, 'd'.repeat(10));
    assert.equal(bodies(), 1, 'an inline overwrite reuses the row');
  });

  it('serves ranges, HEAD, empty objects and copies of inline objects', async () => {
    await put('r', '0123456789abcdefghij');
    const part = await get('r', { range: 'bytes=10-14' });
    assert.equal(part.status, 206);
    assert.equal(part.body, 'abcde');
    assert.equal(part.headers['content-range'], 'bytes 10-14/20');
    const head = await send(s3.port, 'HEAD', '/inline/r');
    assert.equal(head.headers['content-length'], '20');
    assert.equal(head.body, '');

    await put('empty', '');
    const e = await get('empty');
    assert.equal(e.status, 200);
    assert.equal(e.body, '');
    assert.equal(e.headers.etag, md5(''));

    const before = bodies();
    const copy = await send(s3.port, 'PUT', '/inline/r-copy', {
      headers: { 'x-amz-copy-source': '/inline/r' },
    });
    assert.equal(copy.status, 200, copy.body);
    assert.equal((await get('r-copy')).body, '0123456789abcdefghij');
    assert.equal(bodies(), before + 1, 'a copy owns its own body');

    for (const key of ['r', 'r-copy', 'empty', 'k']) {
      assert.equal((await send(s3.port, 'DELETE', `/inline/${key}`)).status, 204);
    }
    assert.equal(bodies(), 0);
    assert.equal(files(), 0);
  });

  it('keeps inline objects across a restart', async () => {
    await put('durable', 'kept');
    await s3.close();
    s3 = await startS3(join(dir, 'data'));
    assert.equal((await get('durable')).body, 'kept');
  });
});
