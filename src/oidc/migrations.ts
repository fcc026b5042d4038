import type { Migration } from '../store/index.js';

export const OIDC_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'clusters and their service-account signing keys',
    up(db) {
      db.exec(`
        CREATE TABLE oidc_clusters (
          name TEXT PRIMARY KEY,
          cluster_id TEXT NOT NULL UNIQUE,      -- 32 uppercase hex, as EKS issuer URLs have
          created_at INTEGER NOT NULL
        );
        CREATE TABLE oidc_keys (
          kid TEXT PRIMARY KEY,
          cluster TEXT NOT NULL REFERENCES oidc_clusters(name),
          private_key_pem TEXT NOT NULL,
          public_jwk TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          retired_at INTEGER,                   -- NULL while it is the active signing key
          max_token_exp INTEGER NOT NULL DEFAULT 0  -- latest exp (s) of any token it signed
        );
        CREATE INDEX oidc_keys_cluster ON oidc_keys(cluster, retired_at);
      `);
    },
  },
];
