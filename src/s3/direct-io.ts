import { close, constants, ftruncate, open, read, write } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { Md5Worker } from './md5-worker.js';

const openP = promisify(open);
const closeP = promisify(close);
const writeP = promisify(write);
const readP = promisify(read);
const ftruncateP = promisify(ftruncate);

/** Size of one staging buffer; a direct writer holds two (one filling while the other is in the kernel). */
export const DIRECT_SLOT = 4 * 1024 * 1024;
/**
 * O_DIRECT wants buffer addresses, file offsets and lengths aligned to the device's logical block (512 on
 * this VM's disk); 4096 suits every device.
 */
const ALIGN = 4096;

/** The one WebAssembly API used here (the project's `lib` has no WebAssembly declarations). */
declare const WebAssembly: {
  Memory: new (descriptor: {
    initial: number;
    maximum: number;
    shared: true;
  }) => { readonly buffer: SharedArrayBuffer };
};

/**
 * A bounded pool of page-aligned staging buffers. WebAssembly memories are page-aligned (V8 maps them
 * whole), which O_DIRECT needs and a Buffer's allocation does not promise.
 */
export class AlignedPool {
  private readonly free: Buffer[] = [];
  private made = 0;
  constructor(private readonly max: number) {}
  /** Two slots, or null when the pool is exhausted (the caller then writes through the page cache). */
  take(): [Buffer, Buffer] | null {
    if (this.free.length + (this.max - this.made) < 2) return null;
    return [this.one(), this.one()];
  }
  /** One slot (a reader's), or null when the pool is exhausted. */
  takeOne(): Buffer | null {
    return this.free.length + (this.max - this.made) < 1 ? null : this.one();
  }
  give(slots: readonly Buffer[]): void {
    this.free.push(...slots);
  }
  private one(): Buffer {
    const b = this.free.pop();
    if (b) return b;
    this.made++;
    // Shared, so the MD5 worker can hash a slot in place while the slot is being written.
    const pages = DIRECT_SLOT / 65536;
    return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer);
  }
}

/**
 * Copies `src` into the (shared) slot at `at`. Buffer#copy into shared memory goes through V8's
 * element-by-element "relaxed" copy (~3 GB/s, a third of a second per GiB); Buffer#fill with a Buffer value
 * is one native memcpy (~10x faster).
 */
function copyInto(slot: Buffer, at: number, src: Buffer): void {
  if (src.length > 0) slot.fill(src, at, at + src.length);
}

export interface DirectFile {
  readonly stream: Writable;
  /** After `stream` finished: the descriptor holding every byte (exact size), for the caller's fsync. */
  fd(): Promise<number>;
  /** After `stream` finished, when an MD5 worker was given: the MD5 of every byte written. */
  md5(): Promise<Buffer>;
  /** Closes whatever is open and returns the slots; safe to call more than once. */
  release(): Promise<void>;
}

/**
 * Writes a blob with O_DIRECT from two page-aligned slots, so a large upload's bytes go from the decoder
 * to the disk without being copied into fresh page-cache pages (on a VM whose free memory is handed back
 * to the host, faulting those pages in is the largest cost of a large PUT). The tail is written padded to
 * the block size, then the file is truncated to its exact length. Where the file system refuses O_DIRECT
 * (open or write fails with EINVAL), the same file is reopened and written through the page cache.
 * Durability is unchanged: the caller still fsyncs, renames and fsyncs the directory.
 */
export function directFile(
  path: string,
  slots: [Buffer, Buffer],
  pool: AlignedPool,
  md5Worker: Md5Worker | null,
): DirectFile {
  const md5Id = md5Worker?.open() ?? 0;
  let digested = false;
  let direct = true;
  let opening: Promise<number> | null = null;
  let fd: number | null = null;
  const openFd = () => {
    opening ??= openP(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT,
      0o600,
    ).then(
      (f) => {
        fd = f;
        return f;
      },
      async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EINVAL') throw err;
        direct = false;
        fd = await openP(path, 'wx', 0o600);
        return fd;
      },
    );
    return opening;
  };
  /** Falls back to a page-cache descriptor on the same file (the direct one is closed at release). */
  let buffered: Promise<number> | null = null;
  let directFd: number | null = null;
  const fallback = async (): Promise<number> => {
    buffered ??= (async () => {
      direct = false;
      directFd = fd;
      fd = await openP(path, 'r+');
      return fd;
    })();
    return buffered;
  };

  async function writeAll(buf: Buffer, length: number, position: number): Promise<void> {
    let off = 0;
    while (off < length) {
      const f = await openFd();
      const useFd = buffered ? await buffered : f;
      const len = direct ? Math.ceil((length - off) / ALIGN) * ALIGN : length - off;
      try {
        const { bytesWritten } = await writeP(useFd, buf, off, len, position + off);
        if (bytesWritten === 0) throw new Error('short write');
        off += bytesWritten;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL' || !direct) throw err;
        await fallback();
      }
    }
  }

  let cur = 0;
  let fill = 0;
  let size = 0;
  let written = 0;
  let failure: Error | null = null;
  const busy: (Promise<void> | null)[] = [null, null];
  const submit = (i: number, length: number) => {
    const at = written;
    written += length;
    const slot = slots[i]!;
    const hashed = md5Worker?.update(md5Id, slot.buffer as SharedArrayBuffer, length);
    busy[i] = Promise.all([writeAll(slot, length, at), hashed]).then(
      () => {
        busy[i] = null;
      },
      (err: Error) => {
        failure ??= err;
        busy[i] = null;
      },
    );
  };

  /** Set when release() starts: from then on the slots and descriptors are no longer this writer's to use. */
  let releasing = false;
  /** The final flush (tail write and truncate), which release() lets finish before closing anything. */
  let ending: Promise<void> | null = null;
  const check = () => {
    if (failure) throw failure;
    if (releasing) throw new Error('blob writer released');
  };

  async function put(chunk: Buffer): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      if (busy[cur]) await busy[cur];
      check();
      const n = Math.min(DIRECT_SLOT - fill, chunk.length - off);
      copyInto(slots[cur]!, fill, chunk.subarray(off, off + n));
      fill += n;
      off += n;
      size += n;
      if (fill === DIRECT_SLOT) {
        submit(cur, fill);
        cur ^= 1;
        fill = 0;
      }
    }
  }

  async function finish(): Promise<void> {
    check();
    if (fill > 0) {
      if (busy[cur]) await busy[cur];
      check();
      // Zero the padding: it never outlives the truncate below, but need not carry another upload's bytes.
      slots[cur]!.fill(0, fill, Math.min(DIRECT_SLOT, Math.ceil(fill / ALIGN) * ALIGN));
      submit(cur, fill);
      fill = 0;
    }
    await Promise.all(busy);
    check();
    const f = await openFd();
    check();
    if (size % ALIGN !== 0 && (direct || directFd !== null)) await ftruncateP(fd ?? f, size);
  }

  const stream = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      // The common case (the current slot has room and is free) completes synchronously.
      if (!busy[cur] && fill + chunk.length < DIRECT_SLOT && !failure && !releasing) {
        copyInto(slots[cur]!, fill, chunk);
        fill += chunk.length;
        size += chunk.length;
        cb();
        return;
      }
      put(chunk).then(() => cb(), cb);
    },
    final(cb) {
      ending = finish();
      ending.then(() => cb(), cb);
    },
  });

  let released: Promise<void> | null = null;
  return {
    stream,
    fd: async () => {
      const f = await openFd();
      return fd ?? f;
    },
    md5() {
      if (!md5Worker) return Promise.reject(new Error('no MD5 worker'));
      digested = true;
      return md5Worker.digest(md5Id);
    },
    release() {
      releasing = true;
      released ??= (async () => {
        await ending?.catch(() => {});
        await Promise.all(busy);
        await opening?.catch(() => {});
        if (buffered) await buffered.catch(() => {});
        for (const f of [fd, directFd]) if (f !== null) await closeP(f).catch(() => {});
        fd = null;
        directFd = null;
        if (md5Worker && !digested) md5Worker.drop(md5Id);
        pool.give(slots);
      })();
      return released;
    },
  };
}

/**
 * Streams bytes [from, to] of a file read with O_DIRECT through one page-aligned slot, each read (one
 * readSize's worth) copied out into an ordinary Buffer: a large blob is sent without filling fresh
 * page-cache pages (the cost direct writes avoid). Where the file system refuses O_DIRECT, it reads through
 * the page cache.
 */
export function directReadStream(
  path: string,
  from: number,
  to: number,
  slot: Buffer,
  pool: AlignedPool,
  readSize: number,
): Readable {
  let fd: number | null = null;
  let direct = true;
  let pos = from;
  let given = false;
  const giveBack = () => {
    if (!given) {
      given = true;
      pool.give([slot]);
    }
  };
  const openFd = async (): Promise<number> => {
    if (fd !== null) return fd;
    try {
      fd = await openP(path, constants.O_RDONLY | constants.O_DIRECT);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
      direct = false;
      fd = await openP(path, 'r');
    }
    return fd;
  };
  /** Reads the next piece at `pos` (at most a slot) and returns a copy of the wanted bytes. */
  const next = async (): Promise<Buffer> => {
    const f = await openFd();
    const start = direct ? pos - (pos % ALIGN) : pos;
    const skip = pos - start;
    // One readSize per read (not a whole slot): what waits for the socket stays small.
    const want = Math.min(readSize, DIRECT_SLOT, to + 1 - start);
    const len = direct ? Math.ceil(want / ALIGN) * ALIGN : want;
    let bytesRead: number;
    try {
      ({ bytesRead } = await readP(f, slot, 0, len, start));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL' || !direct) throw err;
      await closeP(f).catch(() => {});
      fd = null;
      direct = false;
      fd = await openP(path, 'r');
      return next();
    }
    const end = Math.min(bytesRead, want);
    if (end <= skip) throw new Error(`blob ${path} is shorter than its recorded size`);
    pos = start + end;
    // Copied out with fill (one memcpy; Buffer.from of shared memory copies element by element, see copyInto).
    const out = Buffer.allocUnsafeSlow(end - skip);
    out.fill(slot.subarray(skip, end));
    return out;
  };
  let inflight: Promise<unknown> | null = null;
  return new Readable({
    // A few reads queued ahead, so the disk's next read overlaps the socket's sending of the last.
    highWaterMark: 4 * readSize,
    read() {
      if (pos > to) {
        this.push(null);
        return;
      }
      const reading = next();
      inflight = reading;
      reading.then(
        (buf) => {
          inflight = null;
          this.push(buf);
        },
        (err: Error) => {
          inflight = null;
          this.destroy(err);
        },
      );
    },
    destroy(err, cb) {
      // A read may still be in flight into the slot and on the descriptor: only once it has settled is the
      // descriptor closed and the slot handed back (another stream may fill it next).
      const settle = inflight
        ? inflight.then(
            () => {},
            () => {},
          )
        : Promise.resolve();
      settle
        .then(async () => {
          const f = fd;
          fd = null;
          if (f !== null) await closeP(f).catch(() => {});
        })
        .then(() => {
          giveBack();
          cb(err);
        });
    },
  });
}
