import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, type Caller } from '../aws/index.js';
import type { S3Authorizer } from './authorize.js';
import { AwsChunkedDecoder } from './aws-chunked.js';
import type { BlobStore } from './blob-store.js';
import type { Metadata } from './metadata.js';
import type { S3Authentication } from './s3-authenticate.js';
import { s3Errors } from './s3-errors.js';
import type { S3ServiceOptions } from './types.js';

/** Shared by every operation of one service instance. */
export interface S3Deps {
  readonly meta: Metadata;
  readonly blobs: BlobStore;
  readonly options: S3ServiceOptions;
  readonly maxObjectSize: number;
  /**
   * Runs a metadata change in a (group-committed) transaction after every blob it references is durable;
   * `orphaned` blobs are deleted once it has committed.
   */
  commit<T>(fn: () => { result: T; orphaned?: readonly string[] }): Promise<T>;
  /** Forgets a bucket's compiled policy (after Put/DeleteBucketPolicy, DeleteBucket). */
  forgetPolicy(bucket: string): void;
}

/** One request, routed. */
export interface OpContext {
  readonly deps: S3Deps;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly method: string;
  readonly query: URLSearchParams;
  readonly bucket: string;
  readonly key: string | null;
  readonly auth: S3Authentication;
  readonly caller: Caller;
  readonly authz: S3Authorizer;
  readonly now: number;
}

export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** S3's canonical user id for an account: 64 hex digits (irsakit derives it from the account id). */
export function canonicalUserId(account: string): string {
  return createHash('sha256').update(`irsakit-canonical-user:${account}`).digest('hex');
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

export function send(
  ctx: OpContext,
  status: number,
  body?: string,
  headers: Record<string, string | number> = {},
): void {
  const res = ctx.res;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body !== undefined) {
    const buf = Buffer.from(body, 'utf8');
    if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'application/xml');
    res.setHeader('Content-Length', buf.length);
    res.writeHead(status);
    res.end(ctx.method === 'HEAD' ? undefined : buf);
  } else {
    if (!res.hasHeader('content-length')) res.setHeader('Content-Length', 0);
    res.writeHead(status);
    res.end();
  }
}

/**
 * Reads a small request body (XML documents, policies) with a size cap, verifying what the signature promised
 * about it (x-amz-content-sha256, or aws-chunked chunk signatures).
 */
export async function readSmallBody(ctx: OpContext, limit: number): Promise<string> {
  const mode = ctx.auth.payloadHash;
  const source: AsyncIterable<Buffer> = mode.startsWith('STREAMING-')
    ? ctx.req.pipe(
        new AwsChunkedDecoder({
          ...(mode.startsWith('STREAMING-AWS4-HMAC-SHA256') && ctx.auth.signing
            ? { signing: ctx.auth.signing }
            : {}),
          trailer: mode.endsWith('-TRAILER'),
        }),
      )
    : ctx.req;
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of source) {
    n += c.length;
    if (n > limit) throw new AwsError('MaxMessageLengthExceeded', 'Your request was too big.', 400);
    chunks.push(c);
  }
  const body = Buffer.concat(chunks);
  if (/^[0-9a-f]{64}$/.test(mode)) {
    const computed = createHash('sha256').update(body).digest('hex');
    if (computed !== mode) throw s3Errors.contentSha256Mismatch(mode, computed);
  }
  const md5 = headerOf(ctx.req, 'content-md5');
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5.trim())
    throw s3Errors.badDigest();
  return body.toString('utf8');
}
