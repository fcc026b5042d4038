import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { AwsError, type Caller, type RawService } from '../aws/index.js';
import type { NamedPolicy } from '../policy/index.js';
import {
  type S3Authorizer as Authorizer,
  compileBucketPolicy,
  S3Authorizer,
  type S3Context,
} from './authorize.js';
import { type BlobStore, fileBlobStore, memoryBlobStore } from './blob-store.js';
import * as bucketOps from './bucket-operations.js';
import * as listOps from './list-operations.js';
import { Metadata } from './metadata.js';
import { s3Migrations } from './migrations.js';
import * as mpOps from './multipart-operations.js';
import * as objectOps from './object-operations.js';
import type { OpContext, S3Deps } from './op-context.js';
import { authenticateS3, type S3Authentication } from './s3-authenticate.js';
import { renderS3Error, s3Errors } from './s3-errors.js';
import type { S3ServiceOptions } from './types.js';

export interface S3Service extends RawService {
  /** Waits for pending commits. Does not close the store (the runtime owns it). */
  close(): Promise<void>;
}

/** S3 REST routing: method, bucket/key presence and sub-resource query parameters → operation. */
export function route(
  method: string,
  bucket: string | null,
  key: string | null,
  q: URLSearchParams,
  copy: boolean,
) {
  if (bucket === null) {
    if (method === 'GET') return { name: 'ListBuckets', op: bucketOps.listBuckets };
    return null;
  }
  if (key === null) {
    switch (method) {
      case 'PUT':
        if (q.has('policy')) return { name: 'PutBucketPolicy', op: bucketOps.putBucketPolicy };
        if (q.has('tagging')) return { name: 'PutBucketTagging', op: bucketOps.putBucketTagging };
        if ([...q.keys()].length > 0) return null;
        return { name: 'CreateBucket', op: bucketOps.createBucket };
      case 'GET':
        if (q.has('location')) return { name: 'GetBucketLocation', op: bucketOps.getBucketLocation };
        if (q.has('policy')) return { name: 'GetBucketPolicy', op: bucketOps.getBucketPolicy };
        if (q.has('tagging')) return { name: 'GetBucketTagging', op: bucketOps.getBucketTagging };
        if (q.has('uploads')) return { name: 'ListMultipartUploads', op: mpOps.listMultipartUploads };
        if (q.get('list-type') === '2') return { name: 'ListObjectsV2', op: listOps.listObjectsV2 };
        if (SUBRESOURCES.some((s) => q.has(s))) return null;
        return { name: 'ListObjects', op: listOps.listObjects };
      case 'HEAD':
        return { name: 'HeadBucket', op: bucketOps.headBucket };
      case 'DELETE':
        if (q.has('policy')) return { name: 'DeleteBucketPolicy', op: bucketOps.deleteBucketPolicy };
        if (q.has('tagging')) return { name: 'DeleteBucketTagging', op: bucketOps.deleteBucketTagging };
        if ([...q.keys()].length > 0) return null;
        return { name: 'DeleteBucket', op: bucketOps.deleteBucket };
      case 'POST':
        if (q.has('delete')) return { name: 'DeleteObjects', op: objectOps.deleteObjects };
        return null;
    }
    return null;
  }
  switch (method) {
    case 'PUT':
      if (q.has('uploadId')) return { name: 'UploadPart', op: mpOps.uploadPart };
      if (q.has('tagging')) return { name: 'PutObjectTagging', op: objectOps.putObjectTagging };
      if (SUBRESOURCES.some((s) => q.has(s))) return null;
      if (copy) return { name: 'CopyObject', op: objectOps.copyObject };
      return { name: 'PutObject', op: objectOps.putObject };
    case 'GET':
      if (q.has('uploadId')) return { name: 'ListParts', op: mpOps.listParts };
      if (q.has('tagging')) return { name: 'GetObjectTagging', op: objectOps.getObjectTagging };
      if (SUBRESOURCES.some((s) => q.has(s))) return null;
      return { name: 'GetObject', op: objectOps.getObject };
    case 'HEAD':
      return { name: 'HeadObject', op: objectOps.getObject };
    case 'DELETE':
      if (q.has('uploadId')) return { name: 'AbortMultipartUpload', op: mpOps.abortMultipartUpload };
      if (q.has('tagging')) return { name: 'DeleteObjectTagging', op: objectOps.deleteObjectTagging };
      return { name: 'DeleteObject', op: objectOps.deleteObject };
    case 'POST':
      if (q.has('uploads')) return { name: 'CreateMultipartUpload', op: mpOps.createMultipartUpload };
      if (q.has('uploadId')) return { name: 'CompleteMultipartUpload', op: mpOps.completeMultipartUpload };
      return null;
  }
  return null;
}

/** Sub-resources irsakit does not implement: answered NotImplemented rather than mistaken for a listing. */
const SUBRESOURCES = [
  'acl',
  'versioning',
  'versions',
  'lifecycle',
  'cors',
  'website',
  'logging',
  'notification',
  'replication',
  'encryption',
  'object-lock',
  'retention',
  'legal-hold',
  'accelerate',
  'requestPayment',
  'ownershipControls',
  'publicAccessBlock',
  'policyStatus',
  'inventory',
  'metrics',
  'analytics',
  'intelligent-tiering',
  'restore',
  'select',
  'attributes',
  'torrent',
];

/**
 * Splits the request into bucket and key: virtual-hosted style when the Host is `<bucket>.<suffix>`,
 * path-style otherwise. The key is the percent-decoded path as sent: S3 neither normalises "." / ".."
 * segments nor collapses slashes, and keys never reach the file system.
 */
export function addressOf(
  host: string,
  rawPath: string,
  suffixes: readonly string[],
): { bucket: string | null; key: string | null } {
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw s3Errors.invalidUri();
  }
  for (const s of suffixes) {
    if (hostname.endsWith(`.${s}`) && hostname.length > s.length + 1) {
      const bucket = hostname.slice(0, -(s.length + 1));
      const key = path.startsWith('/') ? path.slice(1) : path;
      return { bucket, key: key === '' ? null : key };
    }
  }
  const rest = path.startsWith('/') ? path.slice(1) : path;
  if (rest === '') return { bucket: null, key: null };
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest, key: null };
  const key = rest.slice(slash + 1);
  return { bucket: rest.slice(0, slash), key: key === '' ? null : key };
}

function sourceIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Request-wide condition keys (global keys AWS populates for every S3 request, plus S3's own). */
function baseContext(
  req: IncomingMessage,
  caller: Caller,
  auth: S3Authentication,
  region: string,
  now: number,
): S3Context {
  const secure = (req.socket as TLSSocket).encrypted === true;
  const c: S3Context = {
    'aws:SecureTransport': secure ? 'true' : 'false',
    'aws:SourceIp': sourceIp(req),
    'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:RequestedRegion': region,
    's3:authType': auth.authType === 'anonymous' ? 'REST-HEADER' : auth.authType,
    's3:x-amz-content-sha256': auth.payloadHash,
  };
  const ua = req.headers['user-agent'];
  if (ua) c['aws:UserAgent'] = ua;
  if (secure) {
    const v = (req.socket as TLSSocket).getProtocol?.();
    const m = v ? /TLSv(\d\.\d)/.exec(v) : null;
    if (m) c['s3:TlsVersion'] = m[1]!;
  }
  if (auth.verified) {
    c['s3:signatureversion'] = 'AWS4-HMAC-SHA256';
    c['s3:signatureAge'] = String(Math.max(0, now - auth.verified.auth.signedAtMs));
  }
  if (caller.kind !== 'anonymous') {
    c['aws:PrincipalArn'] = caller.session?.roleArn ?? caller.arn;
    c['aws:PrincipalAccount'] = caller.accountId;
    c['aws:userid'] = caller.userId;
    c['aws:PrincipalType'] = caller.kind === 'session' ? 'AssumedRole' : 'Account';
    for (const [k, v] of Object.entries(caller.principal.tags ?? {})) c[`aws:PrincipalTag/${k}`] = v;
  }
  return c;
}

const ANONYMOUS: Caller = {
  kind: 'anonymous',
  arn: '*',
  accountId: '',
  userId: 'anonymous',
  principal: { arn: '*', accountId: '', type: 'Anonymous' },
};

/**
 * The S3 endpoint as a RawService: SigV4 (header, presigned, aws-chunked streaming), authorization by the
 * policy engine on every layer, objects streamed to files (or memory) and metadata in the store.
 */
export function createS3Service(options: S3ServiceOptions): S3Service {
  const { store } = options;
  store.migrate('s3', s3Migrations);
  const meta = new Metadata(store.db);
  const blobs: BlobStore =
    store.dataDir === null ? memoryBlobStore() : fileBlobStore(join(store.dataDir, 's3'));
  // A crash may leave temp files, renamed-but-uncommitted blobs, or blobs a committed change orphaned.
  const swept = blobs.sweep(
    (() => {
      const refs = meta.referencedBlobs();
      return (id: string) => refs.has(id);
    })(),
  );
  if (swept.temp + swept.orphans > 0) {
    options.log?.({
      level: 'info',
      msg: 's3: swept unreferenced files',
      temp: swept.temp,
      orphans: swept.orphans,
    });
  }
  const suffixes = options.virtualHostSuffixes ?? [
    `s3.${options.region}.amazonaws.com`,
    's3.amazonaws.com',
    's3.localhost',
    'localhost',
  ];

  // Group commit: metadata changes arriving together share one transaction (one fsync of the WAL) and one
  // fsync of the objects directory; each change runs in its own savepoint so one failure fails only itself.
  type Pending = {
    fn: () => { result: unknown; orphaned?: readonly string[] };
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  };
  let queue: Pending[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        if (blobs.durable) await blobs.syncRenames();
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      const outcomes: { p: Pending; ok: boolean; value: unknown; orphaned: readonly string[] }[] = [];
      try {
        store.tx(() => {
          for (const p of batch) {
            try {
              const r = store.db.transaction(p.fn)();
              outcomes.push({ p, ok: true, value: r.result, orphaned: r.orphaned ?? [] });
            } catch (err) {
              outcomes.push({ p, ok: false, value: err, orphaned: [] });
            }
          }
        });
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      for (const o of outcomes) {
        if (o.ok) {
          if (o.orphaned.length > 0) blobs.remove(o.orphaned);
          o.p.resolve(o.value);
        } else o.p.reject(o.value);
      }
    }
  };
  const schedule = (): void => {
    if (flushing) return;
    flushing = new Promise<void>((r) => setImmediate(r)).then(flush).finally(() => {
      flushing = null;
      // A change queued while the last batch settled has no flush of its own yet.
      if (queue.length > 0) schedule();
    });
  };
  const commit = <T>(fn: () => { result: T; orphaned?: readonly string[] }): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      schedule();
    });

  const policyCache = new Map<string, { text: string; policy: NamedPolicy }>();
  const bucketPolicy = (b: { name: string; policy: string | null }): NamedPolicy | null => {
    if (b.policy === null) return null;
    const hit = policyCache.get(b.name);
    if (hit && hit.text === b.policy) return hit.policy;
    const policy = compileBucketPolicy(b.name, b.policy);
    policyCache.set(b.name, { text: b.policy, policy });
    return policy;
  };

  const deps: S3Deps = {
    meta,
    blobs,
    options,
    maxObjectSize: options.maxObjectSize ?? 5 * 1024 * 1024 * 1024,
    commit,
    forgetPolicy: (name) => policyCache.delete(name),
  };

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const hostId = Buffer.from(requestId).toString('base64');
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    res.setHeader('Server', 'AmazonS3');
    let resource = '/';
    try {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
      resource = rawPath;
      const url = new URL(`http://h${rawUrl.startsWith('/') ? '' : '/'}${rawUrl}`);
      const now = options.now();
      const auth = authenticateS3(options.authenticate, req, url, now);
      const caller = auth.verified?.caller ?? ANONYMOUS;
      const { bucket, key } = addressOf(req.headers.host ?? '', rawPath, suffixes);
      const query = url.searchParams;
      const r = route(method, bucket, key, query, req.headers['x-amz-copy-source'] !== undefined);
      if (!r) {
        if (!['GET', 'PUT', 'POST', 'DELETE', 'HEAD'].includes(method))
          throw s3Errors.methodNotAllowed(method);
        throw s3Errors.notImplemented();
      }
      const authz: Authorizer = new S3Authorizer(
        caller,
        options.policiesFor,
        bucketPolicy,
        baseContext(req, caller, auth, options.region, now),
      );
      const ctx: OpContext = {
        deps,
        req,
        res,
        requestId,
        method,
        query,
        bucket: bucket ?? '',
        key,
        auth,
        caller,
        authz,
        now,
      };
      await r.op(ctx);
    } catch (err) {
      const e = err instanceof AwsError ? err : s3Errors.internal();
      if (!(err instanceof AwsError)) {
        options.log?.({
          level: 'error',
          msg: 's3: internal error',
          err: String((err as Error)?.stack ?? err),
        });
      }
      sendError(req, res, e, requestId, hostId, resource);
    }
  }

  function sendError(
    req: IncomingMessage,
    res: ServerResponse,
    e: AwsError,
    requestId: string,
    hostId: string,
    resource: string,
  ): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A refused upload leaves its body unread: close the connection after answering rather than read it all.
    if (!req.complete) {
      res.setHeader('Connection', 'close');
      req.on('error', () => {});
      req.resume();
    }
    if (e.status === 304 || req.method === 'HEAD') {
      res.writeHead(e.status, {
        'Content-Length': 0,
        ...(e.status !== 304 ? { 'x-amz-error-code': e.code } : {}),
      });
      res.end();
      return;
    }
    const body = Buffer.from(renderS3Error(e, requestId, hostId, resource), 'utf8');
    res.writeHead(e.status, { 'Content-Type': 'application/xml', 'Content-Length': body.length });
    res.end(body);
  }

  return {
    protocol: 'raw',
    signingName: 's3',
    handle,
    async close() {
      while (flushing) await flushing;
    },
  };
}
