import { FULL_AWS_ACCESS } from './aws-managed-org-policies.js';
import { authorizeOrg, type OrgDeps, type OrgOperation, page, RCP, randomId, SCP, str } from './org-deps.js';
import { orgErrors } from './org-errors.js';
import type { AccountRow, OuRow } from './org-repo.js';

export type OrgTarget =
  | { readonly type: 'ROOT'; readonly id: string }
  | { readonly type: 'ORGANIZATIONAL_UNIT'; readonly id: string; readonly ou: OuRow }
  | { readonly type: 'ACCOUNT'; readonly id: string; readonly account: AccountRow };

export function resolveTarget(deps: OrgDeps, id: string): OrgTarget {
  if (id === deps.org().rootId) return { type: 'ROOT', id };
  const ou = deps.repo.ou(id);
  if (ou) return { type: 'ORGANIZATIONAL_UNIT', id, ou };
  const account = deps.repo.account(id);
  if (account) return { type: 'ACCOUNT', id, account };
  throw orgErrors.targetNotFound();
}

const arnPrefix = (deps: OrgDeps) => `arn:aws:organizations::${deps.org().managementAccount}`;
export const rootArn = (deps: OrgDeps) => `${arnPrefix(deps)}:root/${deps.org().id}/${deps.org().rootId}`;
export const ouArn = (deps: OrgDeps, id: string) => `${arnPrefix(deps)}:ou/${deps.org().id}/${id}`;
export const accountArn = (deps: OrgDeps, id: string) => `${arnPrefix(deps)}:account/${deps.org().id}/${id}`;

export function targetShape(deps: OrgDeps, t: OrgTarget): Record<string, unknown> {
  if (t.type === 'ROOT') return { TargetId: t.id, Arn: rootArn(deps), Name: 'Root', Type: 'ROOT' };
  if (t.type === 'ORGANIZATIONAL_UNIT')
    return { TargetId: t.id, Arn: ouArn(deps, t.id), Name: t.ou.name, Type: t.type };
  return { TargetId: t.id, Arn: accountArn(deps, t.id), Name: t.account.name, Type: t.type };
}

const ouShape = (deps: OrgDeps, ou: OuRow) => ({ Id: ou.id, Arn: ouArn(deps, ou.id), Name: ou.name });

function accountShape(deps: OrgDeps, a: AccountRow): Record<string, unknown> {
  return {
    Id: a.id,
    Arn: accountArn(deps, a.id),
    Email: a.email,
    Name: a.name,
    Status: 'ACTIVE',
    State: 'ACTIVE',
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: new Date(a.joinedAt),
  };
}

const POLICY_TYPES = [
  { Type: SCP, Status: 'ENABLED' },
  { Type: RCP, Status: 'ENABLED' },
];

function requireParent(deps: OrgDeps, id: string, notFound = orgErrors.parentNotFound): void {
  if (id === deps.org().rootId) return;
  if (!deps.repo.ou(id)) throw notFound();
}

export function structureOperations(deps: OrgDeps): Record<string, OrgOperation> {
  const { repo, store } = deps;

  return {
    async DescribeOrganization(_input, ctx) {
      await authorizeOrg(deps, ctx, 'DescribeOrganization', '*');
      const o = deps.org();
      const mgmt = repo.account(o.managementAccount);
      return {
        Organization: {
          Id: o.id,
          Arn: `${arnPrefix(deps)}:organization/${o.id}`,
          FeatureSet: 'ALL',
          MasterAccountArn: accountArn(deps, o.managementAccount),
          MasterAccountId: o.managementAccount,
          MasterAccountEmail: mgmt?.email,
          AvailablePolicyTypes: POLICY_TYPES,
        },
      };
    },

    async ListRoots(input, ctx) {
      await authorizeOrg(deps, ctx, 'ListRoots', '*');
      const o = deps.org();
      const { items, NextToken } = page(
        [{ Id: o.rootId, Arn: rootArn(deps), Name: 'Root', PolicyTypes: POLICY_TYPES }],
        input,
      );
      return { Roots: items, NextToken };
    },

    async CreateOrganizationalUnit(input, ctx) {
      const parentId = str(input, 'ParentId', true);
      const name = str(input, 'Name', true);
      await authorizeOrg(deps, ctx, 'CreateOrganizationalUnit', '*');
      const ou = store.tx(() => {
        requireParent(deps, parentId);
        if (repo.ousIn(parentId).some((o) => o.name === name)) throw orgErrors.duplicateOu();
        const root = deps.org().rootId.slice(2);
        const created: OuRow = { id: `ou-${root}-${randomId(deps.random, 8)}`, parentId, name };
        const now = deps.now();
        repo.insertOu(created, now);
        // AWS attaches FullAWSAccess to every new OU while SCPs are enabled.
        repo.attach(FULL_AWS_ACCESS.id, created.id, now);
        return created;
      });
      return { OrganizationalUnit: ouShape(deps, ou) };
    },

    async DescribeOrganizationalUnit(input, ctx) {
      const id = str(input, 'OrganizationalUnitId', true);
      await authorizeOrg(deps, ctx, 'DescribeOrganizationalUnit', '*');
      const ou = repo.ou(id);
      if (!ou) throw orgErrors.ouNotFound();
      return { OrganizationalUnit: ouShape(deps, ou) };
    },

    async UpdateOrganizationalUnit(input, ctx) {
      const id = str(input, 'OrganizationalUnitId', true);
      const name = str(input, 'Name');
      await authorizeOrg(deps, ctx, 'UpdateOrganizationalUnit', '*');
      const ou = store.tx(() => {
        const row = repo.ou(id);
        if (!row) throw orgErrors.ouNotFound();
        if (name === undefined || name === row.name) return row;
        if (repo.ousIn(row.parentId).some((o) => o.name === name)) throw orgErrors.duplicateOu();
        repo.renameOu(id, name);
        return { ...row, name };
      });
      return { OrganizationalUnit: ouShape(deps, ou) };
    },

    async DeleteOrganizationalUnit(input, ctx) {
      const id = str(input, 'OrganizationalUnitId', true);
      await authorizeOrg(deps, ctx, 'DeleteOrganizationalUnit', '*');
      store.tx(() => {
        if (!repo.ou(id)) throw orgErrors.ouNotFound();
        if (repo.ousIn(id).length > 0 || repo.accountsIn(id).length > 0) throw orgErrors.ouNotEmpty();
        for (const p of repo.attachedTo(id)) repo.detach(p, id);
        repo.deleteOu(id);
      });
      return {};
    },

    async ListOrganizationalUnitsForParent(input, ctx) {
      const parentId = str(input, 'ParentId', true);
      await authorizeOrg(deps, ctx, 'ListOrganizationalUnitsForParent', '*');
      requireParent(deps, parentId);
      const { items, NextToken } = page(repo.ousIn(parentId), input);
      return { OrganizationalUnits: items.map((o) => ouShape(deps, o)), NextToken };
    },

    async ListAccounts(input, ctx) {
      await authorizeOrg(deps, ctx, 'ListAccounts', '*');
      const { items, NextToken } = page(repo.accounts(), input);
      return { Accounts: items.map((a) => accountShape(deps, a)), NextToken };
    },

    async ListAccountsForParent(input, ctx) {
      const parentId = str(input, 'ParentId', true);
      await authorizeOrg(deps, ctx, 'ListAccountsForParent', '*');
      requireParent(deps, parentId);
      const { items, NextToken } = page(repo.accountsIn(parentId), input);
      return { Accounts: items.map((a) => accountShape(deps, a)), NextToken };
    },

    async DescribeAccount(input, ctx) {
      const id = str(input, 'AccountId', true);
      await authorizeOrg(deps, ctx, 'DescribeAccount', '*');
      const a = repo.account(id);
      if (!a) throw orgErrors.accountNotFound();
      return { Account: accountShape(deps, a) };
    },

    async ListParents(input, ctx) {
      const childId = str(input, 'ChildId', true);
      await authorizeOrg(deps, ctx, 'ListParents', '*');
      const parentId = repo.account(childId)?.parentId ?? repo.ou(childId)?.parentId;
      if (parentId === undefined) throw orgErrors.childNotFound();
      const type = parentId === deps.org().rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT';
      return { Parents: [{ Id: parentId, Type: type }] };
    },

    async ListChildren(input, ctx) {
      const parentId = str(input, 'ParentId', true);
      const childType = str(input, 'ChildType', true);
      await authorizeOrg(deps, ctx, 'ListChildren', '*');
      requireParent(deps, parentId);
      const children =
        childType === 'ACCOUNT'
          ? repo.accountsIn(parentId).map((a) => ({ Id: a.id, Type: 'ACCOUNT' }))
          : repo.ousIn(parentId).map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }));
      const { items, NextToken } = page(children, input);
      return { Children: items, NextToken };
    },

    async MoveAccount(input, ctx) {
      const accountId = str(input, 'AccountId', true);
      const source = str(input, 'SourceParentId', true);
      const destination = str(input, 'DestinationParentId', true);
      await authorizeOrg(deps, ctx, 'MoveAccount', '*');
      store.tx(() => {
        const a = repo.account(accountId);
        if (!a) throw orgErrors.accountNotFound();
        requireParent(deps, source, orgErrors.sourceParentNotFound);
        requireParent(deps, destination, orgErrors.destinationParentNotFound);
        if (a.parentId !== source) throw orgErrors.sourceParentNotFound();
        if (source === destination) throw orgErrors.duplicateAccount();
        repo.moveAccount(accountId, destination);
      });
      return {};
    },
  };
}
