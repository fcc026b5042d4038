import type { Migration } from '../store/index.js';

/**
 * Organizations' tables: one organization (seeded on first start), its OUs, accounts, customer policies
 * and attachments. AWS managed policies (FullAWSAccess, RCPFullAWSAccess) live in code, not here; only
 * FullAWSAccess attachments are stored (it can be detached), RCPFullAWSAccess is attached everywhere, always.
 */
export const ORGANIZATIONS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'organization, roots, OUs, accounts, policies, attachments',
    up(db) {
      db.exec(`
        CREATE TABLE org_organization (
          id TEXT PRIMARY KEY,                  -- o-xxxxxxxxxx
          root_id TEXT NOT NULL,                -- r-xxxx
          management_account TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE org_ous (
          id TEXT PRIMARY KEY,                  -- ou-rrrr-xxxxxxxx
          parent_id TEXT NOT NULL,
          name TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE org_accounts (
          id TEXT PRIMARY KEY,
          parent_id TEXT NOT NULL,
          name TEXT NOT NULL,
          email TEXT NOT NULL,
          joined_method TEXT NOT NULL,
          joined_at INTEGER NOT NULL
        );
        CREATE TABLE org_policies (
          id TEXT PRIMARY KEY,                  -- p-xxxxxxxx
          type TEXT NOT NULL,
          name TEXT NOT NULL,
          description TEXT NOT NULL,
          content TEXT NOT NULL,
          rev TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE org_attachments (
          policy_id TEXT NOT NULL,
          target_id TEXT NOT NULL,
          attached_at INTEGER NOT NULL,
          PRIMARY KEY (policy_id, target_id)
        );
        CREATE INDEX org_attachments_target ON org_attachments(target_id);
      `);
    },
  },
];
