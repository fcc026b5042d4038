import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IrsakitError } from '../errors/index.js';

export type Db = Database.Database;

/** One schema change. `version` counts from 1 within its domain and never changes once released. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Db) => void;
}

export interface Store {
  readonly db: Db;
  /** Absolute data directory, or null for --in-memory. */
  readonly dataDir: string | null;
  /** Applies a domain's pending migrations in order, each in its own transaction. Idempotent. */
  migrate(domain: string, migrations: readonly Migration[]): void;
  /** Runs fn in one IMMEDIATE transaction: all of its writes are durable when it returns, or none is. */
  tx<T>(fn: () => T): T;
  close(): void;
}

export const DB_FILE = 'irsakit.db';

/**
 * Opens the embedded SQLite store. Durability: WAL with synchronous=FULL, so a committed transaction
 * has been fsynced before the call that made it returns, and a kill at any moment loses nothing acknowledged.
 * Each domain (iam, oidc, cluster, s3, …) keeps its own migration sequence so domains evolve independently.
 */
export function openStore(dataDir: string | null): Store {
  let db: Db;
  try {
    if (dataDir !== null) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    db = new Database(dataDir === null ? ':memory:' : join(dataDir, DB_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      domain TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL,
      PRIMARY KEY (domain, version))`);
  } catch (err) {
    throw new IrsakitError(
      'ERR_STORE',
      `cannot open the store in ${dataDir ?? 'memory'}: ${(err as Error).message}`,
    );
  }

  const applied = db.prepare<[string], { v: number | null }>(
    'SELECT MAX(version) AS v FROM schema_migrations WHERE domain = ?',
  );
  const record = db.prepare(
    'INSERT INTO schema_migrations (domain, version, description, applied_at) VALUES (?, ?, ?, ?)',
  );

  return {
    db,
    dataDir,
    migrate(domain, migrations) {
      const current = applied.get(domain)?.v ?? 0;
      const sorted = [...migrations].sort((a, b) => a.version - b.version);
      const latest = sorted.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new IrsakitError(
          'ERR_STORE',
          `the store's ${domain} schema is version ${current}, newer than this irsakit knows (${latest}); upgrade irsakit`,
        );
      }
      for (const m of sorted) {
        if (m.version <= current) continue;
        db.transaction(() => {
          m.up(db);
          record.run(domain, m.version, m.description, new Date().toISOString());
        }).immediate();
      }
    },
    tx(fn) {
      return db.transaction(fn).immediate();
    },
    close() {
      if (db.open) db.close();
    },
  };
}
