import type { Migration } from '../store/index.js';

/** The cluster domain's tables: every API object as JSON, and small node/cluster settings. */
export const CLUSTER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'cluster objects (namespaces, service accounts, pods, webhook configurations) and settings',
    up(db) {
      db.exec(`CREATE TABLE cluster_objects (
        kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL,
        resource_version INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (kind, namespace, name))`);
      db.exec('CREATE TABLE cluster_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    },
  },
];
