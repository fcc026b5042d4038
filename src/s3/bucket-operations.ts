import { AwsError } from '../aws/index.js';
import { bucketArn, compileBucketPolicy } from './authorize.js';
import type { BucketRow } from './metadata.js';
import { canonicalUserId, isoDate, type OpContext, readSmallBody, send } from './op-context.js';
import { s3Errors } from './s3-errors.js';
import { parseTagging, renderTagging } from './tagging.js';
import { parseXml, xmlDocument } from './xml.js';

/** Bucket naming rules (S3 UG "General purpose bucket naming rules"). */
export function validBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3')
  );
}

export function requireBucket(ctx: OpContext): BucketRow {
  const b = ctx.deps.meta.getBucket(ctx.bucket);
  if (!b) throw s3Errors.noSuchBucket(ctx.bucket);
  return b;
}

export async function listBuckets(ctx: OpContext): Promise<void> {
  if (ctx.caller.kind === 'anonymous') throw s3Errors.accessDenied();
  await ctx.authz.authorize('s3:ListAllMyBuckets', 'arn:aws:s3:::*', null);
  const account = ctx.caller.accountId;
  const buckets = ctx.deps.meta.listBuckets(account);
  send(
    ctx,
    200,
    xmlDocument('ListAllMyBucketsResult', {
      Owner: { ID: canonicalUserId(account), DisplayName: account },
      Buckets: {
        Bucket: buckets.map((b) => ({
          Name: b.name,
          CreationDate: isoDate(b.createdAt),
          BucketRegion: b.region,
        })),
      },
    }),
  );
}

export async function createBucket(ctx: OpContext): Promise<void> {
  if (!validBucketName(ctx.bucket)) throw s3Errors.invalidBucketName(ctx.bucket);
  if (ctx.caller.kind === 'anonymous') throw s3Errors.accessDenied();
  await ctx.authz.authorize('s3:CreateBucket', bucketArn(ctx.bucket), null);
  const body = await readSmallBody(ctx, 64 * 1024);
  let region = ctx.deps.options.region;
  if (body.trim() !== '') {
    const doc = parseXml(body);
    const conf = doc?.CreateBucketConfiguration as Record<string, unknown> | undefined;
    if (!conf) throw s3Errors.malformedXml();
    const lc = conf.LocationConstraint;
    if (typeof lc === 'string' && lc !== '') {
      if (lc !== ctx.deps.options.region) {
        throw new AwsError(
          'IllegalLocationConstraintException',
          `The ${lc} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        );
      }
      region = lc;
    }
  }
  const owner = ctx.caller.accountId;
  await ctx.deps.commit(() => {
    const existing = ctx.deps.meta.getBucket(ctx.bucket);
    if (existing) {
      throw existing.owner === owner
        ? s3Errors.bucketAlreadyOwnedByYou(ctx.bucket)
        : s3Errors.bucketAlreadyExists(ctx.bucket);
    }
    ctx.deps.meta.insertBucket(ctx.bucket, owner, region, ctx.now);
    return { result: undefined };
  });
  send(ctx, 200, undefined, { Location: `/${ctx.bucket}` });
}

export async function headBucket(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:ListBucket', bucketArn(b.name), b);
  send(ctx, 200, undefined, { 'x-amz-bucket-region': b.region });
}

export async function deleteBucket(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:DeleteBucket', bucketArn(b.name), b);
  await ctx.deps.commit(() => {
    if (!ctx.deps.meta.bucketIsEmpty(b.name)) throw s3Errors.bucketNotEmpty(b.name);
    return { result: undefined, orphaned: ctx.deps.meta.deleteBucket(b.name) };
  });
  ctx.deps.forgetPolicy(b.name);
  send(ctx, 204);
}

export async function getBucketLocation(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:GetBucketLocation', bucketArn(b.name), b);
  // us-east-1 is reported as an empty LocationConstraint (S3 API reference, GetBucketLocation).
  const region = b.region === 'us-east-1' ? '' : b.region;
  send(
    ctx,
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>`,
  );
}

export async function putBucketPolicy(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:PutBucketPolicy', bucketArn(b.name), b);
  const text = await readSmallBody(ctx, 64 * 1024);
  compileBucketPolicy(b.name, text);
  await ctx.deps.commit(() => {
    if (!ctx.deps.meta.getBucket(b.name)) throw s3Errors.noSuchBucket(b.name);
    ctx.deps.meta.setPolicy(b.name, text);
    return { result: undefined };
  });
  ctx.deps.forgetPolicy(b.name);
  send(ctx, 204);
}

export async function getBucketPolicy(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:GetBucketPolicy', bucketArn(b.name), b);
  if (b.policy === null) throw s3Errors.noSuchBucketPolicy(b.name);
  send(ctx, 200, b.policy, { 'Content-Type': 'application/json' });
}

export async function deleteBucketPolicy(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:DeleteBucketPolicy', bucketArn(b.name), b);
  await ctx.deps.commit(() => {
    ctx.deps.meta.setPolicy(b.name, null);
    return { result: undefined };
  });
  ctx.deps.forgetPolicy(b.name);
  send(ctx, 204);
}

export async function getBucketTagging(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:GetBucketTagging', bucketArn(b.name), b);
  if (!b.tags) throw s3Errors.noSuchTagSet(b.name);
  send(ctx, 200, renderTagging(b.tags));
}

export async function putBucketTagging(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  await ctx.authz.authorize('s3:PutBucketTagging', bucketArn(b.name), b);
  const tags = parseTagging(await readSmallBody(ctx, 64 * 1024), 50);
  await ctx.deps.commit(() => {
    ctx.deps.meta.setBucketTags(b.name, tags);
    return { result: undefined };
  });
  send(ctx, 204);
}

export async function deleteBucketTagging(ctx: OpContext): Promise<void> {
  const b = requireBucket(ctx);
  // DeleteBucketTagging is authorized as s3:PutBucketTagging (S3 API reference, DeleteBucketTagging).
  await ctx.authz.authorize('s3:PutBucketTagging', bucketArn(b.name), b);
  await ctx.deps.commit(() => {
    ctx.deps.meta.setBucketTags(b.name, null);
    return { result: undefined };
  });
  send(ctx, 204);
}
