import type { Migration } from '../store/index.js';

/**
 * IAM's tables. Every row carries its account so one store can hold several accounts. Names that IAM
 * treats as unique case-insensitively (roles, policies, instance profiles) are keyed by their lower-case form.
 * Times are ms since the epoch. `rev` columns change on every write of a document, so compiled policies can
 * be cached by (id, rev) and never re-parsed on the request path.
 */
export const IAM_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'OIDC providers, roles, inline and managed policies, attachments, instance profiles',
    up(db) {
      db.exec(`
        CREATE TABLE iam_oidc_providers (
          account TEXT NOT NULL,
          url TEXT NOT NULL,                    -- without https://, as GetOpenIDConnectProvider returns it
          arn TEXT NOT NULL UNIQUE,
          client_ids TEXT NOT NULL,             -- JSON array, in the order given
          thumbprints TEXT NOT NULL,            -- JSON array
          tags TEXT NOT NULL,                   -- JSON array of {Key, Value}
          created_at INTEGER NOT NULL,
          PRIMARY KEY (account, url)
        );
        CREATE TABLE iam_roles (
          account TEXT NOT NULL,
          name_lc TEXT NOT NULL,
          name TEXT NOT NULL,
          role_id TEXT NOT NULL UNIQUE,
          path TEXT NOT NULL,
          arn TEXT NOT NULL,
          trust_policy TEXT NOT NULL,
          trust_rev TEXT NOT NULL,
          description TEXT,
          max_session_duration INTEGER NOT NULL,
          boundary_arn TEXT,
          tags TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (account, name_lc)
        );
        CREATE TABLE iam_role_policies (
          account TEXT NOT NULL,
          role_name_lc TEXT NOT NULL,
          policy_name TEXT NOT NULL,
          document TEXT NOT NULL,
          rev TEXT NOT NULL,
          PRIMARY KEY (account, role_name_lc, policy_name)
        );
        CREATE TABLE iam_policies (
          account TEXT NOT NULL,
          arn TEXT PRIMARY KEY,
          name_lc TEXT NOT NULL,
          name TEXT NOT NULL,
          policy_id TEXT NOT NULL UNIQUE,
          path TEXT NOT NULL,
          description TEXT,
          default_version TEXT NOT NULL,
          next_version INTEGER NOT NULL,        -- IAM never reuses a version number
          tags TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          UNIQUE (account, name_lc)
        );
        CREATE TABLE iam_policy_versions (
          policy_arn TEXT NOT NULL REFERENCES iam_policies(arn) ON DELETE CASCADE,
          version_id TEXT NOT NULL,
          document TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (policy_arn, version_id)
        );
        CREATE TABLE iam_role_attachments (
          account TEXT NOT NULL,
          role_name_lc TEXT NOT NULL,
          policy_arn TEXT NOT NULL,             -- a customer policy or arn:aws:iam::aws:policy/...
          attached_at INTEGER NOT NULL,
          PRIMARY KEY (account, role_name_lc, policy_arn)
        );
        CREATE INDEX iam_role_attachments_policy ON iam_role_attachments(policy_arn);
        CREATE TABLE iam_instance_profiles (
          account TEXT NOT NULL,
          name_lc TEXT NOT NULL,
          name TEXT NOT NULL,
          profile_id TEXT NOT NULL UNIQUE,
          path TEXT NOT NULL,
          arn TEXT NOT NULL,
          role_name_lc TEXT,                    -- at most one role per instance profile
          tags TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (account, name_lc)
        );
      `);
    },
  },
];
