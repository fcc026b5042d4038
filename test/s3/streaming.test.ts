import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '../../src/aws/index.js';
import { send } from './helpers/raw-client.js';
import { ADMIN, REGION, startS3, type TestS3 } from './helpers/server.js';

/** Big enough that buffering it would show in RSS; the bench uses 1 GiB. */
export const LARGE_OBJECT_BYTES = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 0x5a);

function signed(port: number, method: string, path: string, extra: Record<string, string> = {}) {
  return signRequest({
    method,
    url: path,
    headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra },
    credentials: ADMIN,
    region: REGION,
    service: 's3',
    now: Date.now(),
    payloadHash: 'UNSIGNED-PAYLOAD',
  }).headers;
}

describe('S3 streams large objects with bounded memory', () => {
  let s3: TestS3;
  const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
  before(async () => {
    s3 = await startS3(dir);
    await send(s3.port, 'PUT', '/big');
  });
  after(async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** PUT then GET `size` bytes, streamed from and to a 256 KiB buffer; returns the peak RSS seen. */
  async function roundTrip(path: string, size: number, contentMd5?: string): Promise<number> {
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const md5 = createHash('md5');
    let etag: string | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const headers = signed(s3.port, 'PUT', path, {
          'content-length': String(size),
          ...(contentMd5 ? { 'content-md5': contentMd5 } : {}),
        });
        const req = request({ host: '127.0.0.1', port: s3.port, method: 'PUT', path, headers }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d.toString();
          });
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`PUT ${res.statusCode} ${body}`));
            etag = res.headers.etag;
            resolve();
          });
        });
        req.on('error', reject);
        let sent = 0;
        const pump = () => {
          while (sent < size) {
            sent += CHUNK.length;
            md5.update(CHUNK);
            if (!req.write(CHUNK)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      const got = createHash('md5');
      let n = 0;
      await new Promise<void>((resolve, reject) => {
        request({ host: '127.0.0.1', port: s3.port, path, headers: signed(s3.port, 'GET', path) }, (res) => {
          res.on('data', (c: Buffer) => {
            n += c.length;
            got.update(c);
          });
          res.on('end', resolve);
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(n, size);
      const hex = md5.digest('hex');
      assert.equal(got.digest('hex'), hex);
      assert.equal(etag, `"${hex}"`, 'the ETag is the MD5 of the body');
    } finally {
      clearInterval(sampler);
    }
    return peak;
  }

  it(`puts and gets ${LARGE_OBJECT_BYTES / 1048576} MiB without holding it`, async () => {
    // Warm up (JIT, sockets, SQLite pages) so the measurement sees only what the transfer itself holds.
    await roundTrip('/big/warm-up.bin', 16 * 1024 * 1024);
    const base = process.memoryUsage().rss;
    const peak = await roundTrip('/big/object.bin', LARGE_OBJECT_BYTES);
    const growth = peak - base;
    // The growth is a constant (~20 MiB of socket and stream buffers here): 256 MiB objects grow RSS as much.
    assert.ok(growth < LARGE_OBJECT_BYTES / 2, `RSS grew ${(growth / 1048576).toFixed(1)} MiB`);
  });

  it('refuses a large body whose Content-MD5 does not match, and stores nothing', async () => {
    const wrong = createHash('md5').update('something else').digest('base64');
    await assert.rejects(roundTrip('/big/bad-md5.bin', 12 * 1024 * 1024, wrong), /PUT 400[\s\S]*BadDigest/);
    assert.equal((await send(s3.port, 'GET', '/big/bad-md5.bin')).status, 404);
    // The same body with its own MD5 is stored.
    const md5 = createHash('md5');
    for (let i = 0; i < 48; i++) md5.update(CHUNK);
    await roundTrip('/big/good-md5.bin', 12 * 1024 * 1024, md5.digest('base64'));
  });
});
