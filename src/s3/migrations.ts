import type { Migration } from '../store/index.js';

/**
 * The s3 domain's tables. Large object bodies are not here: `blobs` names files (or memory buffers) by id.
 * Small ones (at most INLINE_MAX bytes) are stored inline in `s3_bodies`, committed in the same
 * transaction as their metadata, so a small PUT costs no file, fsync or rename of its own.
 */
export const s3Migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'buckets, objects, multipart uploads and parts',
    up(db) {
      db.exec(`
        CREATE TABLE s3_buckets (
          name TEXT PRIMARY KEY, owner TEXT NOT NULL, region TEXT NOT NULL, created_at INTEGER NOT NULL,
          policy TEXT, tags TEXT);
        CREATE TABLE s3_objects (
          bucket TEXT NOT NULL REFERENCES s3_buckets(name), key TEXT NOT NULL,
          blobs TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL, last_modified INTEGER NOT NULL,
          headers TEXT NOT NULL, checksum TEXT, tags TEXT, parts INTEGER,
          PRIMARY KEY (bucket, key)) WITHOUT ROWID;
        CREATE TABLE s3_uploads (
          upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL REFERENCES s3_buckets(name), key TEXT NOT NULL,
          initiated INTEGER NOT NULL, headers TEXT NOT NULL, checksum_algorithm TEXT, owner TEXT NOT NULL,
          tags TEXT);
        CREATE INDEX s3_uploads_by_bucket ON s3_uploads (bucket, key, initiated);
        CREATE TABLE s3_parts (
          upload_id TEXT NOT NULL REFERENCES s3_uploads(upload_id) ON DELETE CASCADE,
          part_number INTEGER NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
          checksum TEXT, last_modified INTEGER NOT NULL,
          PRIMARY KEY (upload_id, part_number)) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: 'small object bodies inline',
    up(db) {
      // A rowid table: a small body sits in its leaf page (s3_objects is WITHOUT ROWID, whose rows spill
      // into overflow pages past ~1 KB), so a small GET or PUT touches few pages.
      db.exec(`
        CREATE TABLE s3_bodies (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
        ALTER TABLE s3_objects ADD COLUMN body_id INTEGER;
      `);
    },
  },
];
