import { SqlRepo } from '../store/index.js';
import type { Tag } from './iam-params.js';

export interface ProviderRow {
  readonly account: string;
  readonly url: string;
  readonly arn: string;
  readonly clientIds: string[];
  readonly thumbprints: string[];
  readonly tags: Tag[];
  readonly createdAt: number;
}

export interface RoleRow {
  readonly account: string;
  readonly name: string;
  readonly roleId: string;
  readonly path: string;
  readonly arn: string;
  readonly trustPolicy: string;
  readonly trustRev: string;
  readonly description: string | null;
  readonly maxSessionDuration: number;
  readonly boundaryArn: string | null;
  readonly tags: Tag[];
  readonly createdAt: number;
}

export interface InlinePolicyRow {
  readonly roleNameLc: string;
  readonly policyName: string;
  readonly document: string;
  readonly rev: string;
}

export interface PolicyRow {
  readonly account: string;
  readonly arn: string;
  readonly name: string;
  readonly policyId: string;
  readonly path: string;
  readonly description: string | null;
  readonly defaultVersion: string;
  readonly nextVersion: number;
  readonly tags: Tag[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PolicyVersionRow {
  readonly policyArn: string;
  readonly versionId: string;
  readonly document: string;
  readonly createdAt: number;
}

export interface InstanceProfileRow {
  readonly account: string;
  readonly name: string;
  readonly profileId: string;
  readonly path: string;
  readonly arn: string;
  readonly roleNameLc: string | null;
  readonly tags: Tag[];
  readonly createdAt: number;
}

type Raw = Record<string, unknown>;

const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;

function provider(r: Raw): ProviderRow {
  return {
    account: String(r.account),
    url: String(r.url),
    arn: String(r.arn),
    clientIds: json(r.client_ids),
    thumbprints: json(r.thumbprints),
    tags: json(r.tags),
    createdAt: Number(r.created_at),
  };
}

function role(r: Raw): RoleRow {
  return {
    account: String(r.account),
    name: String(r.name),
    roleId: String(r.role_id),
    path: String(r.path),
    arn: String(r.arn),
    trustPolicy: String(r.trust_policy),
    trustRev: String(r.trust_rev),
    description: r.description === null ? null : String(r.description),
    maxSessionDuration: Number(r.max_session_duration),
    boundaryArn: r.boundary_arn === null ? null : String(r.boundary_arn),
    tags: json(r.tags),
    createdAt: Number(r.created_at),
  };
}

function inline(r: Raw): InlinePolicyRow {
  return {
    roleNameLc: String(r.role_name_lc),
    policyName: String(r.policy_name),
    document: String(r.document),
    rev: String(r.rev),
  };
}

function policy(r: Raw): PolicyRow {
  return {
    account: String(r.account),
    arn: String(r.arn),
    name: String(r.name),
    policyId: String(r.policy_id),
    path: String(r.path),
    description: r.description === null ? null : String(r.description),
    defaultVersion: String(r.default_version),
    nextVersion: Number(r.next_version),
    tags: json(r.tags),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function version(r: Raw): PolicyVersionRow {
  return {
    policyArn: String(r.policy_arn),
    versionId: String(r.version_id),
    document: String(r.document),
    createdAt: Number(r.created_at),
  };
}

function profile(r: Raw): InstanceProfileRow {
  return {
    account: String(r.account),
    name: String(r.name),
    profileId: String(r.profile_id),
    path: String(r.path),
    arn: String(r.arn),
    roleNameLc: r.role_name_lc === null ? null : String(r.role_name_lc),
    tags: json(r.tags),
    createdAt: Number(r.created_at),
  };
}

const lc = (s: string) => s.toLowerCase();

/** IAM's SQL, nothing else: every method is one statement; callers group writes with store.tx. */
export class IamRepo extends SqlRepo {
  // OIDC providers

  providerByUrl(account: string, url: string): ProviderRow | undefined {
    const r = this.one('SELECT * FROM iam_oidc_providers WHERE account = ? AND url = ?', account, url);
    return r && provider(r);
  }

  providerByArn(arn: string): ProviderRow | undefined {
    const r = this.one('SELECT * FROM iam_oidc_providers WHERE arn = ?', arn);
    return r && provider(r);
  }

  providers(account: string): ProviderRow[] {
    return this.all('SELECT * FROM iam_oidc_providers WHERE account = ? ORDER BY arn', account).map(provider);
  }

  countProviders(account: string): number {
    return Number(
      this.one('SELECT COUNT(*) AS n FROM iam_oidc_providers WHERE account = ?', account)?.n ?? 0,
    );
  }

  insertProvider(p: ProviderRow): void {
    this.run(
      'INSERT INTO iam_oidc_providers (account, url, arn, client_ids, thumbprints, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      p.account,
      p.url,
      p.arn,
      JSON.stringify(p.clientIds),
      JSON.stringify(p.thumbprints),
      JSON.stringify(p.tags),
      p.createdAt,
    );
  }

  updateProvider(p: ProviderRow): void {
    this.run(
      'UPDATE iam_oidc_providers SET client_ids = ?, thumbprints = ?, tags = ? WHERE arn = ?',
      JSON.stringify(p.clientIds),
      JSON.stringify(p.thumbprints),
      JSON.stringify(p.tags),
      p.arn,
    );
  }

  deleteProvider(arn: string): void {
    this.run('DELETE FROM iam_oidc_providers WHERE arn = ?', arn);
  }

  // Roles

  role(account: string, name: string): RoleRow | undefined {
    const r = this.one('SELECT * FROM iam_roles WHERE account = ? AND name_lc = ?', account, lc(name));
    return r && role(r);
  }

  roles(account: string): RoleRow[] {
    return this.all('SELECT * FROM iam_roles WHERE account = ? ORDER BY name_lc', account).map(role);
  }

  insertRole(r: RoleRow): void {
    this.run(
      `INSERT INTO iam_roles (account, name_lc, name, role_id, path, arn, trust_policy, trust_rev, description,
        max_session_duration, boundary_arn, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      r.account,
      lc(r.name),
      r.name,
      r.roleId,
      r.path,
      r.arn,
      r.trustPolicy,
      r.trustRev,
      r.description,
      r.maxSessionDuration,
      r.boundaryArn,
      JSON.stringify(r.tags),
      r.createdAt,
    );
  }

  updateRole(r: RoleRow): void {
    this.run(
      `UPDATE iam_roles SET trust_policy = ?, trust_rev = ?, description = ?, max_session_duration = ?,
        boundary_arn = ?, tags = ? WHERE account = ? AND name_lc = ?`,
      r.trustPolicy,
      r.trustRev,
      r.description,
      r.maxSessionDuration,
      r.boundaryArn,
      JSON.stringify(r.tags),
      r.account,
      lc(r.name),
    );
  }

  deleteRole(account: string, name: string): void {
    this.run('DELETE FROM iam_roles WHERE account = ? AND name_lc = ?', account, lc(name));
  }

  countBoundaryUsage(policyArn: string): number {
    return Number(this.one('SELECT COUNT(*) AS n FROM iam_roles WHERE boundary_arn = ?', policyArn)?.n ?? 0);
  }

  // Inline role policies

  rolePolicy(account: string, roleName: string, policyName: string): InlinePolicyRow | undefined {
    const r = this.one(
      'SELECT * FROM iam_role_policies WHERE account = ? AND role_name_lc = ? AND policy_name = ?',
      account,
      lc(roleName),
      policyName,
    );
    return r && inline(r);
  }

  rolePolicies(account: string, roleName: string): InlinePolicyRow[] {
    return this.all(
      'SELECT * FROM iam_role_policies WHERE account = ? AND role_name_lc = ? ORDER BY policy_name',
      account,
      lc(roleName),
    ).map(inline);
  }

  putRolePolicy(account: string, roleName: string, policyName: string, document: string, rev: string): void {
    this.run(
      `INSERT INTO iam_role_policies (account, role_name_lc, policy_name, document, rev) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account, role_name_lc, policy_name) DO UPDATE SET document = excluded.document, rev = excluded.rev`,
      account,
      lc(roleName),
      policyName,
      document,
      rev,
    );
  }

  deleteRolePolicy(account: string, roleName: string, policyName: string): number {
    return this.run(
      'DELETE FROM iam_role_policies WHERE account = ? AND role_name_lc = ? AND policy_name = ?',
      account,
      lc(roleName),
      policyName,
    );
  }

  // Attachments

  attachedArns(account: string, roleName: string): string[] {
    return this.all(
      'SELECT policy_arn FROM iam_role_attachments WHERE account = ? AND role_name_lc = ? ORDER BY attached_at, policy_arn',
      account,
      lc(roleName),
    ).map((r) => String(r.policy_arn));
  }

  attach(account: string, roleName: string, policyArn: string, at: number): void {
    this.run(
      'INSERT OR IGNORE INTO iam_role_attachments (account, role_name_lc, policy_arn, attached_at) VALUES (?, ?, ?, ?)',
      account,
      lc(roleName),
      policyArn,
      at,
    );
  }

  detach(account: string, roleName: string, policyArn: string): number {
    return this.run(
      'DELETE FROM iam_role_attachments WHERE account = ? AND role_name_lc = ? AND policy_arn = ?',
      account,
      lc(roleName),
      policyArn,
    );
  }

  /** Attachments of a policy within one account (AWS managed policies are attached per account). */
  countAttachments(account: string, policyArn: string): number {
    return Number(
      this.one(
        'SELECT COUNT(*) AS n FROM iam_role_attachments WHERE account = ? AND policy_arn = ?',
        account,
        policyArn,
      )?.n ?? 0,
    );
  }

  rolesAttachedTo(account: string, policyArn: string): string[] {
    return this.all(
      'SELECT role_name_lc FROM iam_role_attachments WHERE account = ? AND policy_arn = ?',
      account,
      policyArn,
    ).map((r) => String(r.role_name_lc));
  }

  // Managed policies

  policy(arn: string): PolicyRow | undefined {
    const r = this.one('SELECT * FROM iam_policies WHERE arn = ?', arn);
    return r && policy(r);
  }

  policyByName(account: string, name: string): PolicyRow | undefined {
    const r = this.one('SELECT * FROM iam_policies WHERE account = ? AND name_lc = ?', account, lc(name));
    return r && policy(r);
  }

  policies(account: string): PolicyRow[] {
    return this.all('SELECT * FROM iam_policies WHERE account = ? ORDER BY name_lc', account).map(policy);
  }

  insertPolicy(p: PolicyRow): void {
    this.run(
      `INSERT INTO iam_policies (account, arn, name_lc, name, policy_id, path, description, default_version,
        next_version, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      p.account,
      p.arn,
      lc(p.name),
      p.name,
      p.policyId,
      p.path,
      p.description,
      p.defaultVersion,
      p.nextVersion,
      JSON.stringify(p.tags),
      p.createdAt,
      p.updatedAt,
    );
  }

  updatePolicy(p: PolicyRow): void {
    this.run(
      'UPDATE iam_policies SET default_version = ?, next_version = ?, tags = ?, updated_at = ? WHERE arn = ?',
      p.defaultVersion,
      p.nextVersion,
      JSON.stringify(p.tags),
      p.updatedAt,
      p.arn,
    );
  }

  deletePolicy(arn: string): void {
    this.run('DELETE FROM iam_policy_versions WHERE policy_arn = ?', arn);
    this.run('DELETE FROM iam_policies WHERE arn = ?', arn);
  }

  policyVersion(arn: string, versionId: string): PolicyVersionRow | undefined {
    const r = this.one(
      'SELECT * FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?',
      arn,
      versionId,
    );
    return r && version(r);
  }

  policyVersions(arn: string): PolicyVersionRow[] {
    return this.all(
      'SELECT * FROM iam_policy_versions WHERE policy_arn = ? ORDER BY created_at DESC, version_id DESC',
      arn,
    ).map(version);
  }

  insertPolicyVersion(v: PolicyVersionRow): void {
    this.run(
      'INSERT INTO iam_policy_versions (policy_arn, version_id, document, created_at) VALUES (?, ?, ?, ?)',
      v.policyArn,
      v.versionId,
      v.document,
      v.createdAt,
    );
  }

  deletePolicyVersion(arn: string, versionId: string): void {
    this.run('DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?', arn, versionId);
  }

  // Instance profiles

  instanceProfile(account: string, name: string): InstanceProfileRow | undefined {
    const r = this.one(
      'SELECT * FROM iam_instance_profiles WHERE account = ? AND name_lc = ?',
      account,
      lc(name),
    );
    return r && profile(r);
  }

  instanceProfiles(account: string): InstanceProfileRow[] {
    return this.all('SELECT * FROM iam_instance_profiles WHERE account = ? ORDER BY name_lc', account).map(
      profile,
    );
  }

  instanceProfilesForRole(account: string, roleName: string): InstanceProfileRow[] {
    return this.all(
      'SELECT * FROM iam_instance_profiles WHERE account = ? AND role_name_lc = ? ORDER BY name_lc',
      account,
      lc(roleName),
    ).map(profile);
  }

  insertInstanceProfile(p: InstanceProfileRow): void {
    this.run(
      `INSERT INTO iam_instance_profiles (account, name_lc, name, profile_id, path, arn, role_name_lc, tags, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      p.account,
      lc(p.name),
      p.name,
      p.profileId,
      p.path,
      p.arn,
      p.roleNameLc,
      JSON.stringify(p.tags),
      p.createdAt,
    );
  }

  setInstanceProfileRole(account: string, name: string, roleName: string | null): void {
    this.run(
      'UPDATE iam_instance_profiles SET role_name_lc = ? WHERE account = ? AND name_lc = ?',
      roleName === null ? null : lc(roleName),
      account,
      lc(name),
    );
  }

  deleteInstanceProfile(account: string, name: string): void {
    this.run('DELETE FROM iam_instance_profiles WHERE account = ? AND name_lc = ?', account, lc(name));
  }
}
