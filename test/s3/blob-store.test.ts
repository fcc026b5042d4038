import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import { type BlobStore, fileBlobStore } from '../../src/s3/index.js';

const MiB = 1024 * 1024;

async function put(blobs: BlobStore, body: Buffer, hint: number, piece = 65536 + 7): Promise<string> {
  const writer = blobs.create(hint);
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += piece) pieces.push(body.subarray(i, i + piece));
  await pipeline(Readable.from(pieces), writer.stream);
  return writer.commit();
}

async function get(blobs: BlobStore, id: string, size: number): Promise<Buffer> {
  if (size === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const c of blobs.read([{ id, size }], 0, size - 1)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('file blob store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsakit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const blobs = fileBlobStore(dir);

  it('stores large blobs byte for byte, whatever their length and the pieces they arrive in', async () => {
    for (const size of [8 * MiB, 8 * MiB + 1, 13 * MiB + 777, 12 * MiB - 4095]) {
      const body = randomBytes(size);
      const id = await put(blobs, body, size, size % 2 ? 65536 + 7 : 8 * MiB + 3);
      assert.ok((await get(blobs, id, size)).equals(body), `size ${size}`);
    }
  });

  it('computes the MD5 of each of several concurrent large uploads, when asked', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => randomBytes(8 * MiB + 1000 * i + 1));
    const md5s = await Promise.all(
      bodies.map(async (body) => {
        const writer = blobs.create(body.length, true);
        assert.ok(writer.md5, 'a large blob writer hashes off the event loop');
        const pieces: Buffer[] = [];
        for (let i = 0; i < body.length; i += 100_003) pieces.push(body.subarray(i, i + 100_003));
        await pipeline(Readable.from(pieces), writer.stream);
        const md5 = await writer.md5();
        await writer.commit();
        return md5;
      }),
    );
    for (const [i, body] of bodies.entries()) {
      assert.equal(md5s[i]!.toString('hex'), createHash('md5').update(body).digest('hex'));
    }
  });

  it('reads any range of a large blob, at any alignment', async () => {
    const size = 13 * MiB + 777;
    const body = randomBytes(size);
    const id = await put(blobs, body, size);
    for (const [from, to] of [
      [1, 8 * MiB + 4],
      [4095, size - 1],
      [5 * MiB - 3, 13 * MiB + 776],
      [0, 8 * MiB - 1],
    ] as const) {
      const parts: Buffer[] = [];
      for await (const c of blobs.read([{ id, size }], from, to)) parts.push(c as Buffer);
      assert.ok(Buffer.concat(parts).equals(body.subarray(from, to + 1)), `${from}-${to}`);
    }
    // A reader abandoned midway hands its slot back: many more reads than slots still succeed.
    for (let i = 0; i < 20; i++) {
      const stream = blobs.read([{ id, size }], 0, size - 1);
      for await (const _ of stream) break;
    }
    assert.ok((await get(blobs, id, size)).equals(body));
  });

  it('stores a body shorter than its size hint (and an empty one)', async () => {
    for (const size of [0, 5000]) {
      const body = randomBytes(size);
      const id = await put(blobs, body, 64 * MiB);
      assert.ok((await get(blobs, id, size)).equals(body));
    }
  });

  it('falls back to the page cache when every staging slot is taken, and drops aborted blobs', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(8 * MiB + i));
    const ids = await Promise.all(bodies.map((b) => put(blobs, b, b.length)));
    for (const [i, id] of ids.entries())
      assert.ok((await get(blobs, id, bodies[i]!.length)).equals(bodies[i]!));
    const writer = blobs.create(16 * MiB);
    writer.stream.write(randomBytes(5 * MiB));
    await new Promise((r) => setTimeout(r, 50));
    writer.abort();
    writer.stream.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  });
});
