import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedDecoder } from './aws-chunked.js';
import type { BlobRef, BlobStore, BlobWriter } from './blob-store.js';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  DIGEST_BYTES,
  type Digest,
  newDigest,
  parseChecksumAlgorithm,
} from './checksums.js';
import type { StoredChecksum } from './metadata.js';
import type { S3Authentication } from './s3-authenticate.js';
import { s3Errors } from './s3-errors.js';

/** Buffering between the stages of a large upload (socket, aws-chunked decoder, digests, file). */
const STREAM_BUFFER = 1024 * 1024;

export interface IngestOptions {
  readonly blobs: BlobStore;
  readonly maxSize: number;
  /** Largest body stored inline (0: always a blob, as parts of multipart uploads are). */
  readonly inlineMax?: number;
}

export interface IngestedBody {
  /** The blob holding the body (one), or none when the body is `inline`. */
  readonly blobs: BlobRef[];
  /** The whole body, when it was small enough to be stored inline with its metadata. */
  readonly inline: Buffer | null;
  readonly size: number;
  /** Hex MD5 of the payload (the ETag of a single PUT and of a part). */
  readonly md5: string;
  readonly checksum: StoredChecksum | null;
}

/** Counts, digests and size-limits the payload on its way to the blob. */
class Tap extends Transform {
  size = 0;
  /** Null when the blob writer computes the MD5 itself. */
  md5: Hash | null = createHash('md5');
  constructor(
    readonly sha256: Hash | null,
    readonly digest: Digest | null,
    private readonly max: number,
  ) {
    super({ highWaterMark: STREAM_BUFFER });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.absorb(chunk);
    } catch (err) {
      cb(err as Error);
      return;
    }
    cb(null, chunk);
  }
  /** Counts and digests one chunk (every digest in the same pass); throws past the size limit. */
  absorb(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.max) throw s3Errors.entityTooLarge(this.size, this.max);
    this.md5?.update(chunk);
    this.sha256?.update(chunk);
    this.digest?.update(chunk);
  }
}

/** Collects a small body in memory (bounded: the caller knows it is at most `max` bytes). */
class MemorySink extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      this.absorb(chunk);
    } catch (err) {
      cb(err as Error);
      return;
    }
    cb();
  }
  absorb(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.max) throw s3Errors.entityTooLarge(this.size, this.max);
    this.chunks.push(chunk);
  }
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
  }
}

/**
 * A small plain body (the common case of small PUTs): read with plain 'data' events into the tap's digests
 * and memory, without a stream pipeline's per-request machinery.
 */
function readInto(req: IncomingMessage, tap: Tap, sink: MemorySink): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      try {
        tap.absorb(chunk);
        sink.absorb(chunk);
      } catch (err) {
        fail(err);
      }
    };
    req.on('data', onData);
    req.once('end', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    req.once('error', fail);
    // The client went away mid-body: 'close' without 'end'.
    req.once('close', () => fail(new Error('request closed before its body ended')));
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The one flexible checksum the request asks for, and the value sent in a header (or null: in the trailer). */
export function requestedChecksum(
  req: IncomingMessage,
): { algorithm: ChecksumAlgorithm; expected: string | null } | null {
  const present = CHECKSUM_ALGORITHMS.filter((a) => header(req, checksumHeader(a)) !== undefined);
  if (present.length > 1) {
    throw s3Errors.invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  const trailer = header(req, 'x-amz-trailer')?.trim().toLowerCase();
  if (present[0]) return { algorithm: present[0], expected: header(req, checksumHeader(present[0]))!.trim() };
  if (trailer?.startsWith('x-amz-checksum-')) {
    const alg = parseChecksumAlgorithm(trailer.slice('x-amz-checksum-'.length));
    if (!alg)
      throw s3Errors.invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
    return { algorithm: alg, expected: null };
  }
  const sdk = header(req, 'x-amz-sdk-checksum-algorithm');
  if (sdk) {
    const alg = parseChecksumAlgorithm(sdk);
    if (!alg) {
      throw s3Errors.invalidArgument(
        'Value for x-amz-sdk-checksum-algorithm header is invalid.',
        'x-amz-sdk-checksum-algorithm',
        sdk,
      );
    }
    return { algorithm: alg, expected: null };
  }
  return null;
}

/**
 * Streams the request body into a new blob, decoding aws-chunked and verifying everything the request
 * promised (x-amz-content-sha256, Content-MD5, chunk and trailer signatures, flexible checksums) before the
 * blob is committed (fsync + rename). Every digest is computed in the same single pass over the bytes.
 * On any failure the partial blob is dropped and the error thrown.
 */
export async function ingestBody(
  req: IncomingMessage,
  auth: S3Authentication,
  options: IngestOptions,
): Promise<IngestedBody> {
  const { blobs, maxSize } = options;
  const inlineMax = options.inlineMax ?? 0;
  const mode = auth.payloadHash;
  const streaming = mode.startsWith('STREAMING-');
  const lengthHeader = header(req, 'content-length');
  const chunkedTransfer = /chunked/i.test(header(req, 'transfer-encoding') ?? '');
  if (lengthHeader === undefined && !chunkedTransfer) throw s3Errors.missingContentLength();
  const decodedHeader = header(req, 'x-amz-decoded-content-length');
  const declared =
    streaming && decodedHeader !== undefined ? Number(decodedHeader) : Number(lengthHeader ?? 0);
  if (!Number.isSafeInteger(declared) || declared < 0) {
    throw s3Errors.invalidArgument('Invalid Content-Length', 'Content-Length', String(lengthHeader));
  }
  if (declared > maxSize) throw s3Errors.entityTooLarge(declared, maxSize);

  const md5Header = header(req, 'content-md5');
  let expectedMd5: Buffer | null = null;
  if (md5Header !== undefined) {
    expectedMd5 = Buffer.from(md5Header, 'base64');
    if (expectedMd5.length !== 16 || expectedMd5.toString('base64') !== md5Header.trim())
      throw s3Errors.invalidDigest();
  }
  const wanted = requestedChecksum(req);
  if (wanted?.expected !== null && wanted?.expected !== undefined) {
    const raw = Buffer.from(wanted.expected, 'base64');
    if (raw.length !== DIGEST_BYTES[wanted.algorithm]) {
      throw s3Errors.invalidRequest(`Value for ${checksumHeader(wanted.algorithm)} header is invalid.`);
    }
  }

  const signedHash = /^[0-9a-f]{64}$/.test(mode) ? mode : null;
  const tap = new Tap(
    signedHash ? createHash('sha256') : null,
    wanted ? newDigest(wanted.algorithm) : null,
    maxSize,
  );
  const decoder = streaming
    ? new AwsChunkedDecoder({
        ...(mode.startsWith('STREAMING-AWS4-HMAC-SHA256') && auth.signing ? { signing: auth.signing } : {}),
        trailer: mode.endsWith('-TRAILER'),
        ...(decodedHeader !== undefined ? { decodedLength: declared } : {}),
      })
    : null;
  if (streaming && mode.startsWith('STREAMING-AWS4-HMAC-SHA256') && !auth.signing) {
    throw s3Errors.accessDenied('Anonymous users cannot send signed streaming payloads');
  }
  // A body whose length is known up front and small is kept in memory and stored inline with its metadata:
  // no file, no fsync, no rename of its own (Content-Length bounds it; for aws-chunked, the encoded length is
  // an upper bound of the decoded one). Anything else streams into a blob file.
  const inline =
    inlineMax > 0 && !chunkedTransfer && Number(lengthHeader ?? 0) <= inlineMax && declared <= inlineMax;
  const writer: BlobWriter | null = inline ? null : blobs.create(declared, true);
  if (writer?.md5) tap.md5 = null;
  const sink = writer ? writer.stream : new MemorySink(inlineMax);
  try {
    if (inline && !decoder) await readInto(req, tap, sink as MemorySink);
    else if (decoder) await pipeline(req, decoder, tap, sink);
    else await pipeline(req, tap, sink);
    if (!streaming && !chunkedTransfer && tap.size !== declared) {
      throw s3Errors.invalidRequest('The request body is shorter than its Content-Length');
    }
    if (signedHash) {
      const computed = tap.sha256!.digest('hex');
      if (computed !== signedHash) throw s3Errors.contentSha256Mismatch(signedHash, computed);
    }
    const md5 = tap.md5 ? tap.md5.digest() : await writer!.md5!();
    if (expectedMd5 && !md5.equals(expectedMd5)) throw s3Errors.badDigest();
    let checksum: StoredChecksum | null = null;
    if (wanted && tap.digest) {
      const value = tap.digest.digest().toString('base64');
      const expected = wanted.expected ?? decoder?.trailers.get(checksumHeader(wanted.algorithm)) ?? null;
      if (expected !== null && expected !== value) throw s3Errors.badChecksum(wanted.algorithm);
      checksum = { algorithm: wanted.algorithm, value, type: 'FULL_OBJECT' };
    }
    const common = { size: tap.size, md5: md5.toString('hex'), checksum };
    if (!writer) return { blobs: [], inline: (sink as MemorySink).body(), ...common };
    const blobId = await writer.commit();
    return { blobs: [{ id: blobId, size: tap.size }], inline: null, ...common };
  } catch (err) {
    writer?.abort();
    throw err;
  }
}
