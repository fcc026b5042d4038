import { randomUUID } from 'node:crypto';
import {
  close,
  closeSync,
  createReadStream,
  fdatasync,
  fsync,
  fsyncSync,
  mkdirSync,
  open,
  openSync,
  readdirSync,
  rename,
  unlink,
  unlinkSync,
  writev,
} from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { AlignedPool, DIRECT_SLOT, directFile, directReadStream } from './direct-io.js';
import { Md5Worker } from './md5-worker.js';

const openP = promisify(open);
const writevP = promisify(writev);
const fsyncP = promisify(fsync);
const fdatasyncP = promisify(fdatasync);
const closeP = promisify(close);
const renameP = promisify(rename);

/** One stored body segment: an object is a list of them (one for PUT, one per part after a multipart upload). */
export interface BlobRef {
  readonly id: string;
  readonly size: number;
}

export interface BlobWriter {
  readonly stream: Writable;
  /** After `stream` finished: makes the blob durable (fsync, rename into place) and returns its id. */
  commit(): Promise<string>;
  /**
   * Present when the writer was asked for the MD5 and computes it itself (off the event loop): after `stream`
   * finished, the MD5 of every byte written. Otherwise the caller hashes.
   */
  readonly md5?: () => Promise<Buffer>;
  /** Drops the partial blob (request failed or was refused). */
  abort(): void;
}

/**
 * Where object bodies live. Ids are random UUIDs, never derived from keys, so no key can name a path.
 * Reading pins the blobs; removing a pinned blob is deferred until its readers are done.
 */
export interface BlobStore {
  /**
   * `sizeHint`: the body's expected size, when known (large blobs are written around the page cache);
   * `md5`: the caller wants the body's MD5 (the writer may offer it as `md5`).
   */
  create(sizeHint?: number, md5?: boolean): BlobWriter;
  /** Streams bytes [start, end] (inclusive) of the concatenated blobs. Pins synchronously. */
  read(blobs: readonly BlobRef[], start: number, end: number): Readable;
  /** Deletes blobs no longer referenced by committed metadata. */
  remove(ids: readonly string[]): void;
  /** Makes the renames done so far durable (fsync of the objects directory, if any); a no-op in memory. */
  syncRenames(): Promise<void>;
  /** At start: deletes temp files and blobs that no metadata references (a crash between steps). */
  sweep(isReferenced: (id: string) => boolean): { temp: number; orphans: number };
  readonly durable: boolean;
}

class Pins {
  private readonly counts = new Map<string, number>();
  private readonly doomed = new Set<string>();
  constructor(private readonly unlinkNow: (id: string) => void) {}
  pin(ids: readonly string[]): void {
    for (const id of ids) this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }
  unpin(ids: readonly string[]): void {
    for (const id of ids) {
      const n = (this.counts.get(id) ?? 1) - 1;
      if (n > 0) this.counts.set(id, n);
      else {
        this.counts.delete(id);
        if (this.doomed.delete(id)) this.unlinkNow(id);
      }
    }
  }
  remove(id: string): void {
    if (this.counts.has(id)) this.doomed.add(id);
    else this.unlinkNow(id);
  }
}

const READ_CHUNK = 1024 * 1024;
/**
 * What a blob writer buffers while its previous write is in the kernel: large enough that hashing the next
 * bytes overlaps the write of the last ones (a large upload's two costs); bounded per upload.
 */
const WRITE_BUFFER = 8 * 1024 * 1024;
const WRITEBACK = 64 * 1024 * 1024;
/** Blobs at least this large are written with O_DIRECT (see direct-io.ts); smaller ones stay cached. */
const DIRECT_MIN = 2 * DIRECT_SLOT;
/**
 * Staging slots (4 MiB each) shared by a store's direct writers (two each) and readers (one each); when
 * they are all taken, blobs go through the page cache.
 */
const DIRECT_SLOTS = 16;

/** Concatenates ranges of several blobs into one stream, opening each lazily. */
function concatenated(
  blobs: readonly BlobRef[],
  start: number,
  end: number,
  openOne: (id: string, from: number, to: number) => Readable | Buffer,
  done: () => void,
): Readable {
  const ranges: { id: string; from: number; to: number }[] = [];
  let offset = 0;
  for (const b of blobs) {
    const bStart = offset;
    const bEnd = offset + b.size - 1;
    offset += b.size;
    if (b.size === 0 || bEnd < start || bStart > end) continue;
    ranges.push({ id: b.id, from: Math.max(start, bStart) - bStart, to: Math.min(end, bEnd) - bStart });
  }
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      done();
    }
  };
  async function* gen() {
    try {
      for (const r of ranges) {
        const src = openOne(r.id, r.from, r.to);
        if (Buffer.isBuffer(src)) yield src;
        else for await (const chunk of src) yield chunk as Buffer;
      }
    } finally {
      release();
    }
  }
  const stream = Readable.from(gen(), { objectMode: false, highWaterMark: READ_CHUNK });
  stream.once('close', release);
  return stream;
}

export function fileBlobStore(root: string): BlobStore {
  const objects = join(root, 'objects');
  const tmp = join(root, 'tmp');
  mkdirSync(objects, { recursive: true, mode: 0o700 });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const pins = new Pins((id) => unlink(join(objects, id), () => {}));
  // Renames done so far, and how many of them a directory fsync has covered: a group commit whose changes
  // renamed nothing (inline bodies, tags, deletes) skips the fsync.
  let renamed = 0;
  let synced = 0;
  /** Moves a synced temp file into place (its directory's fsync comes with the group commit). */
  const publish = async (id: string, aborted: boolean): Promise<string> => {
    if (aborted) throw new Error('blob aborted');
    await renameP(join(tmp, id), join(objects, id));
    renamed++;
    return id;
  };
  const pool = new AlignedPool(DIRECT_SLOTS);
  // Its thread starts with the first upload that uses it.
  const md5Worker = new Md5Worker();
  return {
    durable: true,
    create(sizeHint, md5) {
      const id = randomUUID();
      const tmpPath = join(tmp, id);
      const slots = sizeHint !== undefined && sizeHint >= DIRECT_MIN ? pool.take() : null;
      if (slots) {
        const file = directFile(tmpPath, slots, pool, md5 ? md5Worker : null);
        let aborted = false;
        return {
          stream: file.stream,
          ...(md5 ? { md5: () => file.md5() } : {}),
          async commit() {
            try {
              await fsyncP(await file.fd());
            } finally {
              await file.release();
            }
            return publish(id, aborted);
          },
          abort() {
            aborted = true;
            file.release().then(
              () => unlink(tmpPath, () => {}),
              () => {},
            );
          },
        };
      }
      let fd: number | null = null;
      let opening: Promise<number> | null = null;
      let aborted = false;
      const ensure = () => {
        opening ??= openP(tmpPath, 'wx', 0o600).then((f) => {
          fd = f;
          return f;
        });
        return opening;
      };
      // Large blobs are written back as they arrive (one background fdatasync per WRITEBACK bytes), so the
      // fsync that makes the blob durable at commit has little left to do.
      let unsynced = 0;
      let writeback: Promise<void> | null = null;
      const stream = new Writable({
        highWaterMark: WRITE_BUFFER,
        writev(chunks, cb) {
          ensure()
            .then(async (f) => {
              const bufs = chunks.map((c) => c.chunk as Buffer);
              // writev may write less than asked: loop until every byte is on its way to disk.
              while (bufs.length > 0) {
                const { bytesWritten } = await writevP(f, bufs);
                unsynced += bytesWritten;
                let n = bytesWritten;
                while (bufs.length > 0 && n >= bufs[0]!.length) n -= bufs.shift()!.length;
                if (n > 0 && bufs.length > 0) bufs[0] = bufs[0]!.subarray(n);
              }
              if (unsynced >= WRITEBACK && !writeback) {
                unsynced = 0;
                writeback = fdatasyncP(f).then(
                  () => {
                    writeback = null;
                  },
                  () => {
                    writeback = null; // the commit's fsync reports any error
                  },
                );
              }
            })
            .then(() => cb(), cb);
        },
      });
      return {
        stream,
        async commit() {
          const f = await ensure();
          await writeback;
          await fsyncP(f);
          await closeP(f);
          fd = null;
          return publish(id, aborted);
        },
        abort() {
          aborted = true;
          const cleanup = () => {
            if (fd !== null) closeSync(fd);
            fd = null;
            unlink(tmpPath, () => {});
          };
          if (opening) opening.then(() => writeback).then(cleanup, () => {});
        },
      };
    },
    read(blobs, start, end) {
      const ids = blobs.map((b) => b.id);
      pins.pin(ids);
      return concatenated(
        blobs,
        start,
        end,
        (id, from, to) => {
          // Large ranges are read around the page cache (as they were written); the rest through it.
          const slot = to + 1 - from >= DIRECT_MIN ? pool.takeOne() : null;
          return slot
            ? directReadStream(join(objects, id), from, to, slot, pool, READ_CHUNK)
            : createReadStream(join(objects, id), { start: from, end: to, highWaterMark: READ_CHUNK });
        },
        () => pins.unpin(ids),
      );
    },
    remove(ids) {
      for (const id of ids) pins.remove(id);
    },
    async syncRenames() {
      const upTo = renamed;
      if (upTo === synced) return;
      const f = await openP(objects, 'r');
      try {
        await fsyncP(f);
      } finally {
        await closeP(f);
      }
      synced = Math.max(synced, upTo);
    },
    sweep(isReferenced) {
      let temp = 0;
      let orphans = 0;
      for (const name of readdirSync(tmp)) {
        unlinkSync(join(tmp, name));
        temp++;
      }
      for (const name of readdirSync(objects)) {
        if (!isReferenced(name)) {
          unlinkSync(join(objects, name));
          orphans++;
        }
      }
      const d = openSync(objects, 'r');
      fsyncSync(d);
      closeSync(d);
      return { temp, orphans };
    },
  };
}

export function memoryBlobStore(): BlobStore {
  const blobs = new Map<string, Buffer[]>();
  const pins = new Pins((id) => blobs.delete(id));
  return {
    durable: false,
    create() {
      const id = randomUUID();
      const chunks: Buffer[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, cb) {
          // Copy: the incoming buffer may be a view into a larger pooled one.
          chunks.push(Buffer.from(chunk));
          cb();
        },
      });
      return {
        stream,
        async commit() {
          blobs.set(id, chunks);
          return id;
        },
        abort() {
          chunks.length = 0;
        },
      };
    },
    read(refs, start, end) {
      const ids = refs.map((b) => b.id);
      pins.pin(ids);
      return concatenated(
        refs,
        start,
        end,
        (id, from, to) => {
          const parts = blobs.get(id) ?? [];
          async function* slice() {
            let off = 0;
            for (const p of parts) {
              const pStart = off;
              off += p.length;
              if (off <= from || pStart > to) continue;
              yield p.subarray(Math.max(0, from - pStart), Math.min(p.length, to - pStart + 1));
            }
          }
          return Readable.from(slice());
        },
        () => pins.unpin(ids),
      );
    },
    remove(ids) {
      for (const id of ids) pins.remove(id);
    },
    async syncRenames() {},
    sweep() {
      return { temp: 0, orphans: 0 };
    },
  };
}
