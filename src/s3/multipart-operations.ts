import { createHash, randomBytes } from 'node:crypto';
import { bucketArn, objectArn } from './authorize.js';
import { requireBucket } from './bucket-operations.js';
import { type ChecksumAlgorithm, checksumHeader, newDigest, parseChecksumAlgorithm } from './checksums.js';
import { ingestBody } from './ingest.js';
import type { BucketRow, StoredChecksum, UploadRow } from './metadata.js';
import { checkKey, putContext, storedHeaders } from './object-operations.js';
import { canonicalUserId, headerOf, isoDate, type OpContext, readSmallBody, send } from './op-context.js';
import { s3Errors } from './s3-errors.js';
import { parseTaggingHeader } from './tagging.js';
import { list, parseXml, xmlDocument } from './xml.js';

/** S3 multipart limits: parts 1–10,000, each but the last at least 5 MiB, each at most 5 GiB. */
const MIN_PART = 5 * 1024 * 1024;
const MAX_PART = 5 * 1024 * 1024 * 1024;

function requireUpload(ctx: OpContext, b: BucketRow): UploadRow {
  const id = ctx.query.get('uploadId') ?? '';
  const u = ctx.deps.meta.getUpload(id);
  if (!u || u.bucket !== b.name || u.key !== ctx.key) throw s3Errors.noSuchUpload(id);
  return u;
}

const checksumField = (alg: ChecksumAlgorithm) => `Checksum${alg}`;

export async function createMultipartUpload(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  checkKey(key);
  const tagHeader = headerOf(ctx.req, 'x-amz-tagging');
  const tags = tagHeader !== undefined ? parseTaggingHeader(tagHeader) : null;
  await ctx.authz.authorize('s3:PutObject', objectArn(b.name, key), b, putContext(ctx.req, tags));
  const algHeader = headerOf(ctx.req, 'x-amz-checksum-algorithm');
  let alg: ChecksumAlgorithm | null = null;
  if (algHeader !== undefined) {
    alg = parseChecksumAlgorithm(algHeader) ?? null;
    if (!alg) throw s3Errors.invalidRequest('Checksum algorithm provided is unsupported.');
  }
  // Full-object CRCs of multipart uploads (x-amz-checksum-type FULL_OBJECT) are not modelled: parts are still
  // checked, and the object gets no checksum.
  if (headerOf(ctx.req, 'x-amz-checksum-type')?.toUpperCase() === 'FULL_OBJECT') alg = null;
  const uploadId = randomBytes(24).toString('base64url');
  const headers = storedHeaders(ctx.req);
  await ctx.deps.commit(() => {
    if (!ctx.deps.meta.getBucket(b.name)) throw s3Errors.noSuchBucket(b.name);
    ctx.deps.meta.insertUpload({
      uploadId,
      bucket: b.name,
      key,
      initiated: ctx.now,
      headers,
      checksumAlgorithm: alg,
      owner: ctx.caller.accountId,
      tags,
    });
    return { result: undefined };
  });
  send(
    ctx,
    200,
    xmlDocument('InitiateMultipartUploadResult', { Bucket: b.name, Key: key, UploadId: uploadId }),
    alg ? { 'x-amz-checksum-algorithm': alg, 'x-amz-checksum-type': 'COMPOSITE' } : {},
  );
}

export async function uploadPart(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  await ctx.authz.authorize('s3:PutObject', objectArn(b.name, key), b);
  const pn = ctx.query.get('partNumber') ?? '';
  const partNumber = Number(pn);
  if (!/^\d+$/.test(pn) || partNumber < 1 || partNumber > 10000) {
    throw s3Errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      pn,
    );
  }
  const u = requireUpload(ctx, b);
  if (headerOf(ctx.req, 'x-amz-copy-source') !== undefined) throw s3Errors.notImplemented();
  const body = await ingestBody(ctx.req, ctx.auth, {
    blobs: ctx.deps.blobs,
    maxSize: Math.min(MAX_PART, ctx.deps.maxObjectSize),
  });
  const blobId = body.blobs[0]!.id;
  if (u.checksumAlgorithm && body.checksum && body.checksum.algorithm !== u.checksumAlgorithm) {
    ctx.deps.blobs.remove([blobId]);
    throw s3Errors.invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${u.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${body.checksum.algorithm.toLowerCase()}`,
    );
  }
  const etag = `"${body.md5}"`;
  try {
    await ctx.deps.commit(() => {
      if (!ctx.deps.meta.getUpload(u.uploadId)) throw s3Errors.noSuchUpload(u.uploadId);
      const orphaned = ctx.deps.meta.putPart(u.uploadId, {
        partNumber,
        blob: blobId,
        size: body.size,
        etag,
        checksum: body.checksum?.value ?? null,
        lastModified: ctx.deps.options.now(),
      });
      return { result: undefined, orphaned };
    });
  } catch (err) {
    ctx.deps.blobs.remove([blobId]);
    throw err;
  }
  send(ctx, 200, undefined, {
    ETag: etag,
    ...(body.checksum ? { [checksumHeader(body.checksum.algorithm)]: body.checksum.value } : {}),
  });
}

export async function completeMultipartUpload(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  const key = ctx.key!;
  await ctx.authz.authorize('s3:PutObject', objectArn(b.name, key), b);
  const u = requireUpload(ctx, b);
  const doc = parseXml(await readSmallBody(ctx, 4 * 1024 * 1024));
  const cmu = doc?.CompleteMultipartUpload as Record<string, unknown> | undefined;
  if (!cmu || typeof cmu !== 'object') throw s3Errors.malformedXml();
  const requested = list(cmu.Part).map((p) => {
    const r = p as Record<string, unknown>;
    const n = Number(r.PartNumber);
    if (!Number.isInteger(n) || typeof r.ETag !== 'string') throw s3Errors.malformedXml();
    return { partNumber: n, etag: r.ETag };
  });
  if (requested.length === 0) {
    throw s3Errors.malformedXml();
  }
  const lastModified = ctx.deps.options.now();
  const result = await ctx.deps.commit(() => {
    if (!ctx.deps.meta.getUpload(u.uploadId)) throw s3Errors.noSuchUpload(u.uploadId);
    const stored = new Map(ctx.deps.meta.listParts(u.uploadId).map((p) => [p.partNumber, p]));
    const chosen = [];
    let prev = 0;
    for (const r of requested) {
      if (r.partNumber <= prev) throw s3Errors.invalidPartOrder();
      prev = r.partNumber;
      const p = stored.get(r.partNumber);
      const etag = r.etag.startsWith('"') ? r.etag : `"${r.etag}"`;
      if (!p || p.etag !== etag) throw s3Errors.invalidPart();
      chosen.push(p);
    }
    chosen.forEach((p, i) => {
      if (i < chosen.length - 1 && p.size < MIN_PART) throw s3Errors.entityTooSmall();
    });
    // Multipart ETag: MD5 of the concatenated binary part MD5s, "-" and the part count.
    const md5 = createHash('md5');
    for (const p of chosen) md5.update(Buffer.from(p.etag.slice(1, -1), 'hex'));
    const etag = `"${md5.digest('hex')}-${chosen.length}"`;
    let checksum: StoredChecksum | null = null;
    if (u.checksumAlgorithm && chosen.every((p) => p.checksum !== null)) {
      // COMPOSITE checksum: the checksum of the concatenated part checksums, "-" and the part count.
      const d = newDigest(u.checksumAlgorithm);
      for (const p of chosen) d.update(Buffer.from(p.checksum!, 'base64'));
      checksum = {
        algorithm: u.checksumAlgorithm,
        value: `${d.digest().toString('base64')}-${chosen.length}`,
        type: 'COMPOSITE',
      };
    }
    const used = new Set(chosen.map((p) => p.blob));
    const unused = [...stored.values()].map((p) => p.blob).filter((id) => !used.has(id));
    const size = chosen.reduce((n, p) => n + p.size, 0);
    const replaced = ctx.deps.meta.putObject({
      bucket: b.name,
      key,
      blobs: chosen.map((p) => ({ id: p.blob, size: p.size })),
      body: null,
      size,
      etag,
      lastModified,
      headers: u.headers,
      checksum,
      tags: u.tags,
      parts: chosen.length,
    });
    ctx.deps.meta.deleteUpload(u.uploadId);
    return { result: { etag, checksum }, orphaned: [...unused, ...replaced] };
  });
  const host = headerOf(ctx.req, 'host') ?? 'localhost';
  send(
    ctx,
    200,
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `http://${host}/${b.name}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      Bucket: b.name,
      Key: key,
      ETag: result.etag,
      ...(result.checksum
        ? { [checksumField(result.checksum.algorithm)]: result.checksum.value, ChecksumType: 'COMPOSITE' }
        : {}),
    }),
  );
}

export async function abortMultipartUpload(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:AbortMultipartUpload', objectArn(b.name, ctx.key!), b);
  const u = requireUpload(ctx, b);
  await ctx.deps.commit(() => ({ result: undefined, orphaned: ctx.deps.meta.deleteUpload(u.uploadId) }));
  send(ctx, 204);
}

export async function listParts(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:ListMultipartUploadParts', objectArn(b.name, ctx.key!), b);
  const u = requireUpload(ctx, b);
  const marker = Number(ctx.query.get('part-number-marker') ?? 0) || 0;
  const max = Math.min(Number(ctx.query.get('max-parts') ?? 1000) || 1000, 1000);
  const all = ctx.deps.meta.listParts(u.uploadId).filter((p) => p.partNumber > marker);
  const parts = all.slice(0, max);
  const owner = { ID: canonicalUserId(u.owner), DisplayName: u.owner };
  send(
    ctx,
    200,
    xmlDocument('ListPartsResult', {
      Bucket: b.name,
      Key: u.key,
      UploadId: u.uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: 'STANDARD',
      PartNumberMarker: marker,
      NextPartNumberMarker: parts.at(-1)?.partNumber ?? marker,
      MaxParts: max,
      IsTruncated: all.length > parts.length,
      ChecksumAlgorithm: u.checksumAlgorithm ?? undefined,
      Part: parts.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: isoDate(p.lastModified),
        ETag: p.etag,
        Size: p.size,
        ...(u.checksumAlgorithm && p.checksum ? { [checksumField(u.checksumAlgorithm)]: p.checksum } : {}),
      })),
    }),
  );
}

export async function listMultipartUploads(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:ListBucketMultipartUploads', bucketArn(b.name), b);
  const prefix = ctx.query.get('prefix') ?? '';
  const max = Math.min(Number(ctx.query.get('max-uploads') ?? 1000) || 1000, 1000);
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const all = ctx.deps.meta.listUploads(b.name).filter((u) => u.key.startsWith(prefix) && u.key > keyMarker);
  const uploads = all.slice(0, max);
  send(
    ctx,
    200,
    xmlDocument('ListMultipartUploadsResult', {
      Bucket: b.name,
      KeyMarker: keyMarker,
      UploadIdMarker: ctx.query.get('upload-id-marker') ?? '',
      NextKeyMarker: all.length > uploads.length ? uploads.at(-1)?.key : undefined,
      NextUploadIdMarker: all.length > uploads.length ? uploads.at(-1)?.uploadId : undefined,
      Prefix: prefix,
      MaxUploads: max,
      IsTruncated: all.length > uploads.length,
      Upload: uploads.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiator: { ID: canonicalUserId(u.owner), DisplayName: u.owner },
        Owner: { ID: canonicalUserId(u.owner), DisplayName: u.owner },
        StorageClass: 'STANDARD',
        Initiated: isoDate(u.initiated),
        ChecksumAlgorithm: u.checksumAlgorithm ?? undefined,
      })),
    }),
  );
}
