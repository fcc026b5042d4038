import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { AwsError } from '../aws/index.js';
import { bucketArn, objectArn, type S3Context } from './authorize.js';
import type { BlobRef } from './blob-store.js';
import { requireBucket } from './bucket-operations.js';
import { checksumHeader } from './checksums.js';
import { ingestBody } from './ingest.js';
import type { BucketRow, ObjectRow } from './metadata.js';
import { headerOf, httpDate, isoDate, type OpContext, readSmallBody, send } from './op-context.js';
import { s3Errors } from './s3-errors.js';
import { parseTagging, parseTaggingHeader, renderTagging } from './tagging.js';
import { list, parseXml, xmlDocument } from './xml.js';

/** Stored with the object and returned on GET/HEAD (S3 API reference, PutObject request headers). */
const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
  'x-amz-website-redirect-location',
  'x-amz-storage-class',
];
const MAX_META_BYTES = 2048;
/**
 * Largest body stored inline in the metadata row rather than as a file: such a PUT is made durable by the
 * (group-committed) SQLite transaction alone, and a GET needs no file.
 */
export const INLINE_MAX = 64 * 1024;
const MAX_KEY_BYTES = 1024;

export function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw s3Errors.keyTooLong();
}

/** Content headers and x-amz-meta-* of a PUT/Copy/CreateMultipartUpload; user metadata is capped at 2 KB. */
export function storedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  let metaBytes = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const v = Array.isArray(value) ? value.join(',') : value;
    if (name.startsWith('x-amz-meta-')) {
      metaBytes += Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(v);
      out[name] = v;
    } else if (STORED_HEADERS.includes(name)) {
      // aws-chunked is a transfer detail of the upload, not the object's encoding.
      if (name === 'content-encoding') {
        const rest = v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '' && s !== 'aws-chunked');
        if (rest.length > 0) out[name] = rest.join(',');
      } else out[name] = v;
    }
  }
  if (metaBytes > MAX_META_BYTES) throw s3Errors.metadataTooLarge();
  return out;
}

/** Condition keys S3 adds for object writes (s3:RequestObjectTag/*, s3:x-amz-acl, …). */
export function putContext(req: IncomingMessage, tags: Record<string, string> | null): S3Context {
  const c: S3Context = {};
  if (tags) {
    for (const [k, v] of Object.entries(tags)) c[`s3:RequestObjectTag/${k}`] = v;
    c['s3:RequestObjectTagKeys'] = Object.keys(tags);
  }
  for (const h of [
    'x-amz-acl',
    'x-amz-server-side-encryption',
    'x-amz-server-side-encryption-aws-kms-key-id',
    'x-amz-storage-class',
    'x-amz-copy-source',
    'x-amz-metadata-directive',
  ]) {
    const v = headerOf(req, h);
    if (v !== undefined) c[`s3:${h}`] = v;
  }
  return c;
}

export function existingTagContext(o: ObjectRow | undefined): S3Context {
  const c: S3Context = {};
  if (o?.tags) for (const [k, v] of Object.entries(o.tags)) c[`s3:ExistingObjectTag/${k}`] = v;
  return c;
}

function checksumResponseHeaders(o: { checksum: ObjectRow['checksum'] }): Record<string, string> {
  if (!o.checksum) return {};
  return { [checksumHeader(o.checksum.algorithm)]: o.checksum.value, 'x-amz-checksum-type': o.checksum.type };
}

export async function putObject(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  checkKey(key);
  const tagHeader = headerOf(ctx.req, 'x-amz-tagging');
  const tags = tagHeader !== undefined ? parseTaggingHeader(tagHeader) : null;
  const headers = storedHeaders(ctx.req);
  const resource = objectArn(b.name, key);
  const context = putContext(ctx.req, tags);
  await ctx.authz.authorize('s3:PutObject', resource, b, context);
  if (tags) await ctx.authz.authorize('s3:PutObjectTagging', resource, b, context);
  const ifNoneMatch = headerOf(ctx.req, 'if-none-match');
  const ifMatch = headerOf(ctx.req, 'if-match');
  const body = await ingestBody(ctx.req, ctx.auth, {
    blobs: ctx.deps.blobs,
    maxSize: ctx.deps.maxObjectSize,
    inlineMax: INLINE_MAX,
  });
  const etag = `"${body.md5}"`;
  const lastModified = ctx.deps.options.now();
  try {
    await ctx.deps.commit(() => {
      if (!ctx.deps.meta.getBucket(b.name)) throw s3Errors.noSuchBucket(b.name);
      // Conditional writes (S3 API reference, PutObject If-None-Match / If-Match), checked atomically.
      if (ifNoneMatch !== undefined || ifMatch !== undefined) {
        const existing = ctx.deps.meta.getObject(b.name, key);
        if (ifNoneMatch?.trim() === '*' && existing) throw s3Errors.preconditionFailed('If-None-Match');
        if (ifMatch !== undefined && (!existing || !etagMatches(ifMatch, existing.etag))) {
          if (!existing) throw s3Errors.noSuchKey(key);
          throw s3Errors.preconditionFailed('If-Match');
        }
      }
      const orphaned = ctx.deps.meta.putObject({
        bucket: b.name,
        key,
        blobs: body.blobs,
        body: body.inline,
        size: body.size,
        etag,
        lastModified,
        headers,
        checksum: body.checksum,
        tags,
        parts: null,
      });
      return { result: undefined, orphaned };
    });
  } catch (err) {
    ctx.deps.blobs.remove(body.blobs.map((x) => x.id));
    throw err;
  }
  send(ctx, 200, undefined, { ETag: etag, ...checksumResponseHeaders(body) });
}

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || `"${v}"` === etag || v.replace(/^W\//, '') === etag;
  });
}

/**
 * The object a GET/HEAD/… addresses, or the error S3 gives: 404 NoSuchKey only when the caller may
 * s3:ListBucket the bucket, 403 otherwise (S3 API reference, GetObject "Permissions").
 */
async function existingOrHidden(ctx: OpContext, b: BucketRow, key: string): Promise<ObjectRow> {
  const o = ctx.deps.meta.getObject(b.name, key);
  if (o) return o;
  await ctx.authz.authorize('s3:ListBucket', bucketArn(b.name), b);
  throw s3Errors.noSuchKey(key);
}

interface ByteRange {
  start: number;
  end: number;
}

/** A single "bytes=" range (RFC 9110 14.1.2); null to return the whole object. S3 ignores multiple ranges. */
export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw s3Errors.invalidRange(header, size);
    if (size === 0) throw s3Errors.invalidRange(header, size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) throw s3Errors.invalidRange(header, size);
  return { start, end };
}

/** If-Match / If-None-Match / If-(Un)Modified-Since, with RFC 7232's precedence as S3 applies it. */
function checkConditions(req: IncomingMessage, o: ObjectRow): void {
  const ifMatch = headerOf(req, 'if-match');
  const ifNoneMatch = headerOf(req, 'if-none-match');
  const ifModifiedSince = headerOf(req, 'if-modified-since');
  const ifUnmodifiedSince = headerOf(req, 'if-unmodified-since');
  const modifiedSec = Math.floor(o.lastModified / 1000) * 1000;
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, o.etag)) throw s3Errors.preconditionFailed('If-Match');
  } else if (ifUnmodifiedSince !== undefined) {
    const t = Date.parse(ifUnmodifiedSince);
    if (!Number.isNaN(t) && modifiedSec > t) throw s3Errors.preconditionFailed('If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, o.etag)) throw s3Errors.notModified();
  } else if (ifModifiedSince !== undefined) {
    const t = Date.parse(ifModifiedSince);
    if (!Number.isNaN(t) && modifiedSec <= t) throw s3Errors.notModified();
  }
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

export async function getObject(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  const found = ctx.deps.meta.getObject(b.name, key);
  const action = ctx.query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject';
  await ctx.authz.authorize(action, objectArn(b.name, key), b, existingTagContext(found));
  const o = found ?? (await existingOrHidden(ctx, b, key));
  checkConditions(ctx.req, o);
  const range = parseRange(headerOf(ctx.req, 'range'), o.size);
  const headers: Record<string, string | number> = {
    'Last-Modified': httpDate(o.lastModified),
    ETag: o.etag,
    'Accept-Ranges': 'bytes',
    'Content-Type': 'binary/octet-stream',
  };
  for (const [k, v] of Object.entries(o.headers)) headers[k] = v;
  if (o.tags && Object.keys(o.tags).length > 0) headers['x-amz-tagging-count'] = Object.keys(o.tags).length;
  if (o.parts !== null) headers['x-amz-mp-parts-count'] = o.parts;
  for (const [q, h] of Object.entries(RESPONSE_OVERRIDES)) {
    const v = ctx.query.get(q);
    if (v !== null) headers[h] = v;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? o.size - 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${o.size}`;
  else if (headerOf(ctx.req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
    Object.assign(headers, checksumResponseHeaders(o));
  }
  headers['Content-Length'] = o.size === 0 ? 0 : end - start + 1;
  const res = ctx.res;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.writeHead(range ? 206 : 200);
  if (ctx.method === 'HEAD' || o.size === 0) {
    res.end();
    return;
  }
  if (o.body !== null) {
    res.end(o.body.subarray(start, end + 1));
    return;
  }
  const body = ctx.deps.blobs.read(o.blobs, start, end);
  try {
    await pipeline(body, res);
  } catch {
    // The client went away or a read failed mid-body: the status line is already sent, so drop the connection.
    res.destroy();
  }
}

export async function deleteObject(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  const found = ctx.deps.meta.getObject(b.name, key);
  await ctx.authz.authorize('s3:DeleteObject', objectArn(b.name, key), b, existingTagContext(found));
  await ctx.deps.commit(() => ({ result: undefined, orphaned: ctx.deps.meta.deleteObject(b.name, key) }));
  send(ctx, 204);
}

/** DeleteObjects: each key is authorized as s3:DeleteObject on its own ARN and reported on its own. */
export async function deleteObjects(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const doc = parseXml(await readSmallBody(ctx, 2 * 1024 * 1024));
  const del = doc?.Delete as Record<string, unknown> | undefined;
  if (!del || typeof del !== 'object') throw s3Errors.malformedXml();
  const objects = list(del.Object);
  if (objects.length === 0 || objects.length > 1000) throw s3Errors.malformedXml();
  const quiet = String(del.Quiet ?? '').toLowerCase() === 'true';
  const deleted: { Key: string }[] = [];
  const errors: { Key: string; Code: string; Message: string }[] = [];
  for (const item of objects) {
    const key = (item as { Key?: unknown })?.Key;
    if (typeof key !== 'string') throw s3Errors.malformedXml();
    try {
      checkKey(key);
      const found = ctx.deps.meta.getObject(b.name, key);
      await ctx.authz.authorize('s3:DeleteObject', objectArn(b.name, key), b, existingTagContext(found));
      await ctx.deps.commit(() => ({ result: undefined, orphaned: ctx.deps.meta.deleteObject(b.name, key) }));
      deleted.push({ Key: key });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      errors.push({ Key: key, Code: err.code, Message: err.message });
    }
  }
  send(ctx, 200, xmlDocument('DeleteResult', { Deleted: quiet ? [] : deleted, Error: errors }));
}

function parseCopySource(header: string): { bucket: string; key: string } {
  let v = header;
  const q = v.indexOf('?');
  if (q >= 0) v = v.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(v);
  } catch {
    throw s3Errors.invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', header);
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw s3Errors.invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      header,
    );
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export async function copyObject(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  checkKey(key);
  const src = parseCopySource(headerOf(ctx.req, 'x-amz-copy-source')!);
  const sb = ctx.deps.meta.getBucket(src.bucket);
  if (!sb) throw s3Errors.noSuchBucket(src.bucket);
  const so = ctx.deps.meta.getObject(sb.name, src.key);
  await ctx.authz.authorize('s3:GetObject', objectArn(sb.name, src.key), sb, existingTagContext(so));
  if (!so) {
    await ctx.authz.authorize('s3:ListBucket', bucketArn(sb.name), sb);
    throw s3Errors.noSuchKey(src.key);
  }
  const replaceMeta = headerOf(ctx.req, 'x-amz-metadata-directive')?.toUpperCase() === 'REPLACE';
  const replaceTags = headerOf(ctx.req, 'x-amz-tagging-directive')?.toUpperCase() === 'REPLACE';
  const tagHeader = headerOf(ctx.req, 'x-amz-tagging');
  const tags = replaceTags ? (tagHeader !== undefined ? parseTaggingHeader(tagHeader) : null) : so.tags;
  if (sb.name === b.name && src.key === key && !replaceMeta) {
    throw s3Errors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const headers = replaceMeta ? storedHeaders(ctx.req) : so.headers;
  await ctx.authz.authorize(
    's3:PutObject',
    objectArn(b.name, key),
    b,
    putContext(ctx.req, replaceTags ? tags : null),
  );
  // Bodies are immutable blobs owned by one object each: copy the bytes into a new blob (or row).
  let blobs: BlobRef[] = [];
  if (so.body === null) {
    const writer = ctx.deps.blobs.create(so.size);
    try {
      if (so.size > 0) await pipeline(ctx.deps.blobs.read(so.blobs, 0, so.size - 1), writer.stream);
      else writer.stream.end();
      blobs = [{ id: await writer.commit(), size: so.size }];
    } catch (err) {
      writer.abort();
      throw err;
    }
  }
  const lastModified = ctx.deps.options.now();
  await ctx.deps.commit(() => ({
    result: undefined,
    orphaned: ctx.deps.meta.putObject({
      bucket: b.name,
      key,
      blobs,
      body: so.body,
      size: so.size,
      etag: so.etag,
      lastModified,
      headers,
      checksum: so.checksum?.type === 'FULL_OBJECT' ? so.checksum : null,
      tags,
      parts: so.parts,
    }),
  }));
  send(ctx, 200, xmlDocument('CopyObjectResult', { LastModified: isoDate(lastModified), ETag: so.etag }));
}

export async function getObjectTagging(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  const found = ctx.deps.meta.getObject(b.name, key);
  await ctx.authz.authorize('s3:GetObjectTagging', objectArn(b.name, key), b, existingTagContext(found));
  const o = found ?? (await existingOrHidden(ctx, b, key));
  send(ctx, 200, renderTagging(o.tags ?? {}));
}

export async function putObjectTagging(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  const found = ctx.deps.meta.getObject(b.name, key);
  const tags = parseTagging(await readSmallBody(ctx, 64 * 1024), 10);
  const context = existingTagContext(found);
  for (const [k, v] of Object.entries(tags)) context[`s3:RequestObjectTag/${k}`] = v;
  context['s3:RequestObjectTagKeys'] = Object.keys(tags);
  await ctx.authz.authorize('s3:PutObjectTagging', objectArn(b.name, key), b, context);
  if (!found) await existingOrHidden(ctx, b, key);
  await ctx.deps.commit(() => {
    if (!ctx.deps.meta.setObjectTags(b.name, key, tags)) throw s3Errors.noSuchKey(key);
    return { result: undefined };
  });
  send(ctx, 200);
}

export async function deleteObjectTagging(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  const found = ctx.deps.meta.getObject(b.name, key);
  await ctx.authz.authorize('s3:DeleteObjectTagging', objectArn(b.name, key), b, existingTagContext(found));
  if (!found) await existingOrHidden(ctx, b, key);
  await ctx.deps.commit(() => {
    ctx.deps.meta.setObjectTags(b.name, key, null);
    return { result: undefined };
  });
  send(ctx, 204);
}
