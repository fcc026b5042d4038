import type { Statement } from 'better-sqlite3';
import type { Db } from './store.js';

export type Row = Record<string, unknown>;

/**
 * Base of a domain's SQL repository: statements are prepared once per SQL text and reused, because request
 * paths (policy loading, S3 metadata) run a handful of them per call. Subclasses hold only their SQL.
 */
export abstract class SqlRepo {
  private readonly statements = new Map<string, Statement>();

  constructor(protected readonly db: Db) {}

  protected stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  protected one(sql: string, ...args: unknown[]): Row | undefined {
    return this.stmt(sql).get(...args) as Row | undefined;
  }

  protected all(sql: string, ...args: unknown[]): Row[] {
    return this.stmt(sql).all(...args) as Row[];
  }

  /** Runs a write; returns the number of rows changed. */
  protected run(sql: string, ...args: unknown[]): number {
    return this.stmt(sql).run(...args).changes;
  }
}
