import type { Db } from '../store/index.js';
import type { BlobRef } from './blob-store.js';
import type { ChecksumAlgorithm } from './checksums.js';

export interface BucketRow {
  readonly name: string;
  readonly owner: string;
  readonly region: string;
  readonly createdAt: number;
  readonly policy: string | null;
  readonly tags: Record<string, string> | null;
}

export interface StoredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64; COMPOSITE values of multipart objects end in "-<parts>". */
  readonly value: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface ObjectRow {
  readonly bucket: string;
  readonly key: string;
  /** Where the body lives: blob files, or (empty) `body`. */
  readonly blobs: BlobRef[];
  /** The whole body, for small objects stored inline (then `blobs` is empty); null otherwise. */
  readonly body: Buffer | null;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  /** Stored response headers: content-type, content-encoding, …, and x-amz-meta-*. */
  readonly headers: Record<string, string>;
  readonly checksum: StoredChecksum | null;
  readonly tags: Record<string, string> | null;
  readonly parts: number | null;
}

export interface UploadRow {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: number;
  readonly headers: Record<string, string>;
  readonly checksumAlgorithm: ChecksumAlgorithm | null;
  readonly owner: string;
  readonly tags: Record<string, string> | null;
}

export interface PartRow {
  readonly partNumber: number;
  readonly blob: string;
  readonly size: number;
  readonly etag: string;
  readonly checksum: string | null;
  readonly lastModified: number;
}

type Raw = Record<string, unknown>;

const json = <T>(v: unknown): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : null);

function bucketFrom(r: Raw): BucketRow {
  return {
    name: r.name as string,
    owner: r.owner as string,
    region: r.region as string,
    createdAt: r.created_at as number,
    policy: (r.policy as string | null) ?? null,
    tags: json(r.tags),
  };
}

function objectFrom(r: Raw): ObjectRow {
  return {
    bucket: r.bucket as string,
    key: r.key as string,
    blobs: (json<[string, number][]>(r.blobs) ?? []).map(([id, size]) => ({ id, size })),
    body:
      r.body_id === null || r.body_id === undefined ? null : ((r.body as Buffer | null) ?? Buffer.alloc(0)),
    size: r.size as number,
    etag: r.etag as string,
    lastModified: r.last_modified as number,
    headers: json(r.headers) ?? {},
    checksum: json(r.checksum),
    tags: json(r.tags),
    parts: (r.parts as number | null) ?? null,
  };
}

function uploadFrom(r: Raw): UploadRow {
  return {
    uploadId: r.upload_id as string,
    bucket: r.bucket as string,
    key: r.key as string,
    initiated: r.initiated as number,
    headers: json(r.headers) ?? {},
    checksumAlgorithm: (r.checksum_algorithm as ChecksumAlgorithm | null) ?? null,
    owner: r.owner as string,
    tags: json(r.tags),
  };
}

function partFrom(r: Raw): PartRow {
  return {
    partNumber: r.part_number as number,
    blob: r.blob as string,
    size: r.size as number,
    etag: r.etag as string,
    checksum: (r.checksum as string | null) ?? null,
    lastModified: r.last_modified as number,
  };
}

/** Synchronous access to the s3 tables (better-sqlite3); writers return the blob ids they orphaned. */
export class Metadata {
  private readonly q;
  /**
   * Buckets as committed, read on every request (requireBucket). Only reads made outside a transaction fill
   * it (so a rolled-back change never lands here), and every write to a bucket row drops its entry.
   */
  private readonly buckets = new Map<string, BucketRow | undefined>();

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      getBucket: p('SELECT * FROM s3_buckets WHERE name = ?'),
      listBuckets: p('SELECT * FROM s3_buckets WHERE owner = ? ORDER BY name'),
      insertBucket: p('INSERT INTO s3_buckets (name, owner, region, created_at) VALUES (?, ?, ?, ?)'),
      deleteBucket: p('DELETE FROM s3_buckets WHERE name = ?'),
      anyObject: p('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1'),
      uploadsOfBucket: p('SELECT upload_id FROM s3_uploads WHERE bucket = ?'),
      setPolicy: p('UPDATE s3_buckets SET policy = ? WHERE name = ?'),
      setBucketTags: p('UPDATE s3_buckets SET tags = ? WHERE name = ?'),
      getObject: p(`SELECT o.*, b.data AS body FROM s3_objects o LEFT JOIN s3_bodies b ON b.id = o.body_id
        WHERE o.bucket = ? AND o.key = ?`),
      getBlobs: p('SELECT blobs, body_id FROM s3_objects WHERE bucket = ? AND key = ?'),
      insertBody: p('INSERT INTO s3_bodies (data) VALUES (?)'),
      deleteBody: p('DELETE FROM s3_bodies WHERE id = ?'),
      updateBody: p('UPDATE s3_bodies SET data = ? WHERE id = ?'),
      upsertObject: p(`INSERT INTO s3_objects
          (bucket, key, blobs, size, etag, last_modified, headers, checksum, tags, parts, body_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (bucket, key) DO UPDATE SET blobs = excluded.blobs, size = excluded.size, etag = excluded.etag,
          last_modified = excluded.last_modified, headers = excluded.headers, checksum = excluded.checksum,
          tags = excluded.tags, parts = excluded.parts, body_id = excluded.body_id`),
      deleteObject: p('DELETE FROM s3_objects WHERE bucket = ? AND key = ?'),
      setObjectTags: p('UPDATE s3_objects SET tags = ? WHERE bucket = ? AND key = ?'),
      // Listings never need bodies: leave inline ones on disk.
      listFrom: p(`SELECT bucket, key, blobs, size, etag, last_modified, headers, checksum, tags, parts
        FROM s3_objects WHERE bucket = ? AND key > ? AND key >= ? ORDER BY key LIMIT ?`),
      insertUpload:
        p(`INSERT INTO s3_uploads (upload_id, bucket, key, initiated, headers, checksum_algorithm, owner, tags)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      getUpload: p('SELECT * FROM s3_uploads WHERE upload_id = ?'),
      deleteUpload: p('DELETE FROM s3_uploads WHERE upload_id = ?'),
      listUploads: p('SELECT * FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated'),
      partBlob: p('SELECT blob FROM s3_parts WHERE upload_id = ? AND part_number = ?'),
      upsertPart: p(`INSERT INTO s3_parts (upload_id, part_number, blob, size, etag, checksum, last_modified)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (upload_id, part_number) DO UPDATE SET blob = excluded.blob, size = excluded.size,
          etag = excluded.etag, checksum = excluded.checksum, last_modified = excluded.last_modified`),
      listParts: p('SELECT * FROM s3_parts WHERE upload_id = ? ORDER BY part_number'),
      allObjectBlobs: p('SELECT blobs FROM s3_objects'),
      allPartBlobs: p('SELECT blob FROM s3_parts'),
    };
  }

  getBucket(name: string): BucketRow | undefined {
    if (this.buckets.has(name)) return this.buckets.get(name);
    const r = this.q.getBucket.get(name) as Raw | undefined;
    const b = r ? bucketFrom(r) : undefined;
    if (!this.db.inTransaction) {
      if (this.buckets.size >= 10_000) this.buckets.clear();
      this.buckets.set(name, b);
    }
    return b;
  }
  listBuckets(owner: string): BucketRow[] {
    return (this.q.listBuckets.all(owner) as Raw[]).map(bucketFrom);
  }
  insertBucket(name: string, owner: string, region: string, createdAt: number): void {
    this.buckets.delete(name);
    this.q.insertBucket.run(name, owner, region, createdAt);
  }
  bucketIsEmpty(name: string): boolean {
    return this.q.anyObject.get(name) === undefined;
  }
  /** Deletes the bucket and its pending uploads; returns the uploads' part blobs. */
  deleteBucket(name: string): string[] {
    const orphaned: string[] = [];
    for (const u of this.q.uploadsOfBucket.all(name) as Raw[]) {
      orphaned.push(...this.deleteUpload(u.upload_id as string));
    }
    this.buckets.delete(name);
    this.q.deleteBucket.run(name);
    return orphaned;
  }
  setPolicy(name: string, policy: string | null): void {
    this.buckets.delete(name);
    this.q.setPolicy.run(policy, name);
  }
  setBucketTags(name: string, tags: Record<string, string> | null): void {
    this.buckets.delete(name);
    this.q.setBucketTags.run(tags === null ? null : JSON.stringify(tags), name);
  }

  getObject(bucket: string, key: string): ObjectRow | undefined {
    const r = this.q.getObject.get(bucket, key) as Raw | undefined;
    return r ? objectFrom(r) : undefined;
  }
  /** Stores the object (its body inline when `body` is set); returns the blobs of the version it replaced. */
  putObject(o: ObjectRow): string[] {
    const r = this.q.getBlobs.get(o.bucket, o.key) as Raw | undefined;
    const oldBodyId = (r?.body_id as number | bigint | null | undefined) ?? null;
    let bodyId: number | bigint | null = null;
    if (o.body !== null) {
      // An inline body replacing an inline body takes over its row.
      if (oldBodyId !== null) this.q.updateBody.run(o.body, oldBodyId);
      bodyId = oldBodyId ?? this.q.insertBody.run(o.body).lastInsertRowid;
    } else if (oldBodyId !== null) this.q.deleteBody.run(oldBodyId);
    const old = r ? (json<[string, number][]>(r.blobs) ?? []).map(([id]) => id) : [];
    this.q.upsertObject.run(
      o.bucket,
      o.key,
      JSON.stringify(o.blobs.map((b) => [b.id, b.size])),
      o.size,
      o.etag,
      o.lastModified,
      JSON.stringify(o.headers),
      o.checksum === null ? null : JSON.stringify(o.checksum),
      o.tags === null ? null : JSON.stringify(o.tags),
      o.parts,
      bodyId,
    );
    return old.filter((id) => !o.blobs.some((b) => b.id === id));
  }
  deleteObject(bucket: string, key: string): string[] {
    const r = this.q.getBlobs.get(bucket, key) as Raw | undefined;
    if (!r) return [];
    if (r.body_id !== null) this.q.deleteBody.run(r.body_id);
    this.q.deleteObject.run(bucket, key);
    return (json<[string, number][]>(r.blobs) ?? []).map(([id]) => id);
  }
  setObjectTags(bucket: string, key: string, tags: Record<string, string> | null): boolean {
    return this.q.setObjectTags.run(tags === null ? null : JSON.stringify(tags), bucket, key).changes > 0;
  }
  /** Objects with key > after and key >= prefix, in UTF-8 byte order (SQLite's BINARY collation). */
  listFrom(bucket: string, after: string, prefix: string, limit: number): ObjectRow[] {
    return (this.q.listFrom.all(bucket, after, prefix, limit) as Raw[]).map(objectFrom);
  }

  insertUpload(u: UploadRow): void {
    this.q.insertUpload.run(
      u.uploadId,
      u.bucket,
      u.key,
      u.initiated,
      JSON.stringify(u.headers),
      u.checksumAlgorithm,
      u.owner,
      u.tags === null ? null : JSON.stringify(u.tags),
    );
  }
  getUpload(uploadId: string): UploadRow | undefined {
    const r = this.q.getUpload.get(uploadId) as Raw | undefined;
    return r ? uploadFrom(r) : undefined;
  }
  listUploads(bucket: string): UploadRow[] {
    return (this.q.listUploads.all(bucket) as Raw[]).map(uploadFrom);
  }
  /** Deletes the upload and its parts; returns the parts' blobs. */
  deleteUpload(uploadId: string): string[] {
    const blobs = this.listParts(uploadId).map((p) => p.blob);
    this.q.deleteUpload.run(uploadId);
    return blobs;
  }
  /** Stores a part; returns the blob of the part it replaced. */
  putPart(uploadId: string, p: PartRow): string[] {
    const old = this.q.partBlob.get(uploadId, p.partNumber) as Raw | undefined;
    this.q.upsertPart.run(uploadId, p.partNumber, p.blob, p.size, p.etag, p.checksum, p.lastModified);
    return old && old.blob !== p.blob ? [old.blob as string] : [];
  }
  listParts(uploadId: string): PartRow[] {
    return (this.q.listParts.all(uploadId) as Raw[]).map(partFrom);
  }
  /** Every blob id that committed metadata references (for the start-up sweep). */
  referencedBlobs(): Set<string> {
    const out = new Set<string>();
    for (const r of this.q.allObjectBlobs.iterate() as Iterable<Raw>) {
      for (const [id] of json<[string, number][]>(r.blobs) ?? []) out.add(id);
    }
    for (const r of this.q.allPartBlobs.iterate() as Iterable<Raw>) out.add(r.blob as string);
    return out;
  }
}
