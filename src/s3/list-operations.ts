import { bucketArn, type S3Context } from './authorize.js';
import { requireBucket } from './bucket-operations.js';
import type { Metadata, ObjectRow } from './metadata.js';
import { canonicalUserId, isoDate, type OpContext, send } from './op-context.js';
import { s3Errors } from './s3-errors.js';
import { xmlDocument } from './xml.js';

/** Above every character a key can hold: "prefix + this" sorts after every key under prefix. */
const AFTER_ALL = '\u{10FFFF}';

export interface Listing {
  contents: ObjectRow[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned (NextMarker, and what the continuation token encodes). */
  last: string | undefined;
}

/**
 * Keys under `prefix` after `after`, in UTF-8 byte order, rolled up into common prefixes at `delimiter`; at
 * most maxKeys entries (keys plus prefixes), as S3's ListObjects counts them.
 */
export function listKeys(
  meta: Metadata,
  bucket: string,
  prefix: string,
  delimiter: string,
  after: string,
  maxKeys: number,
): Listing {
  const out: Listing = { contents: [], prefixes: [], truncated: false, last: undefined };
  let cursor = after;
  // A marker that is itself a common prefix resumes after everything it rolled up.
  if (delimiter !== '' && cursor.startsWith(prefix) && cursor.endsWith(delimiter)) {
    const rest = cursor.slice(prefix.length);
    if (rest.indexOf(delimiter) === rest.length - delimiter.length) cursor += AFTER_ALL;
  }
  let lastPrefix: string | undefined;
  for (;;) {
    const rows = meta.listFrom(bucket, cursor, prefix, 1000);
    if (rows.length === 0) return out;
    let requery = false;
    for (const row of rows) {
      if (!row.key.startsWith(prefix)) return out;
      cursor = row.key;
      if (delimiter !== '') {
        const at = row.key.indexOf(delimiter, prefix.length);
        if (at >= 0) {
          const cp = row.key.slice(0, at + delimiter.length);
          if (cp === lastPrefix) continue;
          if (out.contents.length + out.prefixes.length >= maxKeys) {
            out.truncated = maxKeys > 0;
            return out;
          }
          out.prefixes.push(cp);
          out.last = cp;
          lastPrefix = cp;
          cursor = cp + AFTER_ALL;
          requery = true;
          break;
        }
      }
      if (out.contents.length + out.prefixes.length >= maxKeys) {
        out.truncated = maxKeys > 0;
        return out;
      }
      out.contents.push(row);
      out.last = row.key;
    }
    if (!requery && rows.length < 1000) return out;
  }
}

function maxKeysParam(ctx: OpContext): number {
  const v = ctx.query.get('max-keys');
  if (v === null) return 1000;
  if (!/^\d+$/.test(v))
    throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', v);
  return Math.min(Number(v), 1000);
}

/** s3:prefix, s3:delimiter and s3:max-keys, each present only when the request sent it. */
function listContext(ctx: OpContext): S3Context {
  const c: S3Context = {};
  for (const k of ['prefix', 'delimiter', 'max-keys']) {
    const v = ctx.query.get(k);
    if (v !== null) c[`s3:${k}`] = v;
  }
  return c;
}

function encoder(ctx: OpContext): (s: string) => string {
  const et = ctx.query.get('encoding-type');
  if (et !== null && et !== 'url')
    throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', et);
  return et === 'url' ? (s) => encodeURIComponent(s).replace(/%2F/g, '/') : (s) => s;
}

function contentsXml(rows: ObjectRow[], enc: (s: string) => string, owner: string | undefined) {
  return rows.map((o) => ({
    Key: enc(o.key),
    LastModified: isoDate(o.lastModified),
    ETag: o.etag,
    ChecksumAlgorithm: o.checksum?.algorithm,
    ChecksumType: o.checksum?.type,
    Size: o.size,
    Owner: owner === undefined ? undefined : { ID: canonicalUserId(owner), DisplayName: owner },
    StorageClass: o.headers['x-amz-storage-class'] ?? 'STANDARD',
  }));
}

export async function listObjectsV2(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:ListBucket', bucketArn(b.name), b, listContext(ctx));
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const maxKeys = maxKeysParam(ctx);
  const enc = encoder(ctx);
  const token = ctx.query.get('continuation-token');
  const startAfter = ctx.query.get('start-after') ?? '';
  let after = startAfter;
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || !decoded.startsWith('1:')) {
      throw s3Errors.invalidArgument(
        'The continuation token provided is incorrect',
        'continuation-token',
        token,
      );
    }
    after = decoded.slice(2);
  }
  const l = listKeys(ctx.deps.meta, b.name, prefix, delimiter, after, maxKeys);
  const fetchOwner = ctx.query.get('fetch-owner') === 'true';
  send(
    ctx,
    200,
    xmlDocument('ListBucketResult', {
      Name: b.name,
      Prefix: enc(prefix),
      Delimiter: delimiter === '' ? undefined : enc(delimiter),
      MaxKeys: maxKeys,
      EncodingType: ctx.query.get('encoding-type') ?? undefined,
      KeyCount: l.contents.length + l.prefixes.length,
      IsTruncated: l.truncated,
      ContinuationToken: token ?? undefined,
      NextContinuationToken:
        l.truncated && l.last !== undefined ? Buffer.from(`1:${l.last}`).toString('base64url') : undefined,
      StartAfter: ctx.query.has('start-after') ? enc(startAfter) : undefined,
      Contents: contentsXml(l.contents, enc, fetchOwner ? b.owner : undefined),
      CommonPrefixes: l.prefixes.map((p) => ({ Prefix: enc(p) })),
    }),
  );
}

export async function listObjects(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:ListBucket', bucketArn(b.name), b, listContext(ctx));
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const marker = ctx.query.get('marker') ?? '';
  const maxKeys = maxKeysParam(ctx);
  const enc = encoder(ctx);
  const l = listKeys(ctx.deps.meta, b.name, prefix, delimiter, marker, maxKeys);
  send(
    ctx,
    200,
    xmlDocument('ListBucketResult', {
      Name: b.name,
      Prefix: enc(prefix),
      Marker: enc(marker),
      // NextMarker is returned only with a delimiter; without one, clients continue from the last key.
      NextMarker: l.truncated && delimiter !== '' && l.last !== undefined ? enc(l.last) : undefined,
      MaxKeys: maxKeys,
      Delimiter: delimiter === '' ? undefined : enc(delimiter),
      EncodingType: ctx.query.get('encoding-type') ?? undefined,
      IsTruncated: l.truncated,
      Contents: contentsXml(l.contents, enc, b.owner),
      CommonPrefixes: l.prefixes.map((p) => ({ Prefix: enc(p) })),
    }),
  );
}
