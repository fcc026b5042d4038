import type { Migration } from '../store/index.js';

/** The aws domain's tables: secrets that every process sharing the store must agree on. */
export const AWS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'aws_secrets: the session-token key (AES-256-GCM + HMAC derivation), created once',
    up(db) {
      db.exec(`CREATE TABLE aws_secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        created_at TEXT NOT NULL)`);
    },
  },
];
