import { Worker } from 'node:worker_threads';

// Plain JavaScript, evaluated: the worker needs no loader, whatever runs the server (tsx or compiled code).
// One Hash per upload id; messages from one port are handled in order, so each upload's bytes are hashed in
// the order its slots were filled.
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      let h = hashes.get(m.id);
      if (!h) hashes.set(m.id, (h = createHash('md5')));
      h.update(new Uint8Array(m.memory, 0, m.length));
      parentPort.postMessage({ seq: m.seq });
    } else if (m.op === 'digest') {
      const h = hashes.get(m.id) ?? createHash('md5');
      hashes.delete(m.id);
      parentPort.postMessage({ seq: m.seq, digest: h.digest() });
    } else {
      hashes.delete(m.id);
      parentPort.postMessage({ seq: m.seq });
    }
  } catch (err) {
    parentPort.postMessage({ seq: m.seq, error: String(err) });
  }
});
`;

/**
 * MD5 (a single PUT's ETag) computed on a worker thread over shared staging memory, so it runs beside the
 * event loop's SHA-256 of the chunk signatures instead of after it: the two digests are a large signed
 * upload's largest CPU costs, and MD5 (~850 MB/s) alone would bound the upload on one thread.
 */
export class Md5Worker {
  private worker: Worker | null = null;
  private seq = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (d?: Buffer) => void; reject: (e: Error) => void }>();

  /** A new upload's id. */
  open(): number {
    return ++this.nextId;
  }

  /** Hashes the first `length` bytes of `memory` into upload `id`; resolves once the worker is done with them. */
  update(id: number, memory: SharedArrayBuffer, length: number): Promise<void> {
    return this.send({ op: 'update', id, memory, length }).then(() => {});
  }

  digest(id: number): Promise<Buffer> {
    return this.send({ op: 'digest', id }).then((d) => Buffer.from(d!));
  }

  drop(id: number): void {
    this.send({ op: 'drop', id }).catch(() => {});
  }

  private send(message: Record<string, unknown>): Promise<Buffer | undefined> {
    const worker = this.start();
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      worker.postMessage({ ...message, seq });
      if (this.waiting.size === 1) worker.ref();
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SOURCE, { eval: true });
    // Idle, the worker keeps nothing alive; it is referenced only while a reply is awaited.
    worker.unref();
    worker.on('message', (m: { seq: number; digest?: Uint8Array; error?: string }) => {
      const w = this.waiting.get(m.seq);
      this.waiting.delete(m.seq);
      if (this.waiting.size === 0) worker.unref();
      if (!w) return;
      if (m.error !== undefined) w.reject(new Error(`md5 worker: ${m.error}`));
      else w.resolve(m.digest ? Buffer.from(m.digest) : undefined);
    });
    const fail = (err: Error) => {
      this.worker = null;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`md5 worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
