import { SqlRepo } from '../store/index.js';

export interface OrganizationRow {
  readonly id: string;
  readonly rootId: string;
  readonly managementAccount: string;
  readonly createdAt: number;
}

export interface OuRow {
  readonly id: string;
  readonly parentId: string;
  readonly name: string;
}

export interface AccountRow {
  readonly id: string;
  readonly parentId: string;
  readonly name: string;
  readonly email: string;
  readonly joinedMethod: string;
  readonly joinedAt: number;
}

export interface OrgPolicyRow {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly description: string;
  readonly content: string;
  readonly rev: string;
}

type Raw = Record<string, unknown>;

/** Organizations' SQL; callers group writes with store.tx. */
export class OrgRepo extends SqlRepo {
  organization(): OrganizationRow | undefined {
    const r = this.one('SELECT * FROM org_organization LIMIT 1');
    return (
      r && {
        id: String(r.id),
        rootId: String(r.root_id),
        managementAccount: String(r.management_account),
        createdAt: Number(r.created_at),
      }
    );
  }

  insertOrganization(o: OrganizationRow): void {
    this.run(
      'INSERT INTO org_organization (id, root_id, management_account, created_at) VALUES (?, ?, ?, ?)',
      o.id,
      o.rootId,
      o.managementAccount,
      o.createdAt,
    );
  }

  ou(id: string): OuRow | undefined {
    const r = this.one('SELECT * FROM org_ous WHERE id = ?', id);
    return r && { id: String(r.id), parentId: String(r.parent_id), name: String(r.name) };
  }

  ousIn(parentId: string): OuRow[] {
    return this.all('SELECT * FROM org_ous WHERE parent_id = ? ORDER BY created_at, id', parentId).map(
      (r) => ({
        id: String(r.id),
        parentId: String(r.parent_id),
        name: String(r.name),
      }),
    );
  }

  insertOu(o: OuRow, at: number): void {
    this.run(
      'INSERT INTO org_ous (id, parent_id, name, created_at) VALUES (?, ?, ?, ?)',
      o.id,
      o.parentId,
      o.name,
      at,
    );
  }

  renameOu(id: string, name: string): void {
    this.run('UPDATE org_ous SET name = ? WHERE id = ?', name, id);
  }

  deleteOu(id: string): void {
    this.run('DELETE FROM org_ous WHERE id = ?', id);
  }

  private accountRow(r: Raw): AccountRow {
    return {
      id: String(r.id),
      parentId: String(r.parent_id),
      name: String(r.name),
      email: String(r.email),
      joinedMethod: String(r.joined_method),
      joinedAt: Number(r.joined_at),
    };
  }

  account(id: string): AccountRow | undefined {
    const r = this.one('SELECT * FROM org_accounts WHERE id = ?', id);
    return r && this.accountRow(r);
  }

  accounts(): AccountRow[] {
    return this.all('SELECT * FROM org_accounts ORDER BY joined_at, id').map((r) => this.accountRow(r));
  }

  accountsIn(parentId: string): AccountRow[] {
    return this.all('SELECT * FROM org_accounts WHERE parent_id = ? ORDER BY joined_at, id', parentId).map(
      (r) => this.accountRow(r),
    );
  }

  insertAccount(a: AccountRow): void {
    this.run(
      'INSERT INTO org_accounts (id, parent_id, name, email, joined_method, joined_at) VALUES (?, ?, ?, ?, ?, ?)',
      a.id,
      a.parentId,
      a.name,
      a.email,
      a.joinedMethod,
      a.joinedAt,
    );
  }

  moveAccount(id: string, parentId: string): void {
    this.run('UPDATE org_accounts SET parent_id = ? WHERE id = ?', parentId, id);
  }

  private policyRow(r: Raw): OrgPolicyRow {
    return {
      id: String(r.id),
      type: String(r.type),
      name: String(r.name),
      description: String(r.description),
      content: String(r.content),
      rev: String(r.rev),
    };
  }

  policy(id: string): OrgPolicyRow | undefined {
    const r = this.one('SELECT * FROM org_policies WHERE id = ?', id);
    return r && this.policyRow(r);
  }

  policies(type: string): OrgPolicyRow[] {
    return this.all('SELECT * FROM org_policies WHERE type = ? ORDER BY created_at, id', type).map((r) =>
      this.policyRow(r),
    );
  }

  insertPolicy(p: OrgPolicyRow, at: number): void {
    this.run(
      'INSERT INTO org_policies (id, type, name, description, content, rev, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      p.id,
      p.type,
      p.name,
      p.description,
      p.content,
      p.rev,
      at,
    );
  }

  updatePolicy(p: OrgPolicyRow): void {
    this.run(
      'UPDATE org_policies SET name = ?, description = ?, content = ?, rev = ? WHERE id = ?',
      p.name,
      p.description,
      p.content,
      p.rev,
      p.id,
    );
  }

  deletePolicy(id: string): void {
    this.run('DELETE FROM org_policies WHERE id = ?', id);
  }

  attachedTo(targetId: string): string[] {
    return this.all(
      'SELECT policy_id FROM org_attachments WHERE target_id = ? ORDER BY attached_at, rowid',
      targetId,
    ).map((r) => String(r.policy_id));
  }

  targetsOf(policyId: string): string[] {
    return this.all(
      'SELECT target_id FROM org_attachments WHERE policy_id = ? ORDER BY attached_at, rowid',
      policyId,
    ).map((r) => String(r.target_id));
  }

  attach(policyId: string, targetId: string, at: number): void {
    this.run(
      'INSERT INTO org_attachments (policy_id, target_id, attached_at) VALUES (?, ?, ?)',
      policyId,
      targetId,
      at,
    );
  }

  detach(policyId: string, targetId: string): number {
    return this.run('DELETE FROM org_attachments WHERE policy_id = ? AND target_id = ?', policyId, targetId);
  }
}
