import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { INLINE_MAX } from '../../src/s3/index.js';
import { send } from './helpers/raw-client.js';

function startChild(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures/child-server.ts'), dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

describe('S3 durability: kill -9 during uploads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged object intact and shows no partial one', async () => {
    let srv = await startChild(dir);
    child = srv.child;
    assert.equal((await send(srv.port, 'PUT', '/crash')).status, 200);
    const acked = new Map<string, string>();
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        // Three kinds: inline, page-cache blobs, and blobs large enough to be written with O_DIRECT.
        const size = i % 8 === 4 ? 9 * 1024 * 1024 + 123 : i % 4 === 0 ? 3 * 1024 * 1024 : 4096 + i;
        const body = randomBytes(size);
        const key = `w${w}/o${i}`;
        try {
          const r = await send(srv.port, 'PUT', `/crash/${key}`, { body });
          if (r.status === 200) acked.set(key, createHash('sha256').update(body).digest('hex'));
        } catch {
          return; // connection cut by the kill
        }
      }
    };
    const workers = [0, 1, 2, 3, 4, 5].map(worker);
    await new Promise((r) => setTimeout(r, 1500));
    srv.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await new Promise((r) => srv.child.once('exit', r));
    assert.ok(acked.size > 5, `only ${acked.size} uploads were acknowledged`);

    srv = await startChild(dir);
    child = srv.child;
    assert.deepEqual(readdirSync(join(dir, 's3', 'tmp')), [], 'temp files are swept at start');
    for (const key of acked.keys()) {
      const r = await send(srv.port, 'GET', `/crash/${key}`);
      assert.equal(r.status, 200, key);
    }
    // Every visible object is whole: its body hashes to what was acknowledged (bodies compared as bytes).
    const list = await send(srv.port, 'GET', '/crash?list-type=2&max-keys=1000');
    const keys = [...list.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
    const sizes = [...list.body.matchAll(/<Size>(\d+)<\/Size>/g)].map((m) => Number(m[1]));
    assert.equal(sizes.length, keys.length);
    for (const key of keys) {
      const got = await getBytes(srv.port, key);
      const sha = createHash('sha256').update(got).digest('hex');
      if (acked.has(key)) assert.equal(sha, acked.get(key), key);
    }
    // Small bodies live inline in the store; every larger object has exactly one blob file, and nothing else does.
    assert.ok(
      sizes.some((n) => n <= INLINE_MAX) && sizes.some((n) => n > INLINE_MAX),
      'both kinds were stored',
    );
    const objects = readdirSync(join(dir, 's3', 'objects')).length;
    assert.equal(objects, sizes.filter((n) => n > INLINE_MAX).length, 'no orphaned blob files remain');
  });
});

async function getBytes(port: number, key: string): Promise<Buffer> {
  const { request } = await import('node:http');
  const { signRequest } = await import('../../src/aws/index.js');
  const { ADMIN, REGION } = await import('./helpers/server.js');
  const path = `/crash/${key}`;
  const headers = signRequest({
    method: 'GET',
    url: path,
    headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    credentials: ADMIN,
    region: REGION,
    service: 's3',
    now: Date.now(),
    payloadHash: 'UNSIGNED-PAYLOAD',
  }).headers;
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    })
      .on('error', reject)
      .end();
  });
}
