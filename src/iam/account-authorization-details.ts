import { AWS_MANAGED_POLICIES } from './aws-managed-policies.js';
import {
  encodeDocument,
  type IamAction,
  type IamDeps,
  type ManagedPolicy,
  managedPolicy,
  paginate,
  policyShape,
  readPaging,
  roleShape,
} from './iam-deps.js';
import { IamParams } from './iam-params.js';
import type { RoleRow } from './iam-repo.js';
import { instanceProfileShape } from './instance-profile-actions.js';

const FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;

function roleDetail(deps: IamDeps, role: RoleRow): Record<string, unknown> {
  const { repo } = deps;
  return {
    ...roleShape(role, true),
    MaxSessionDuration: undefined,
    Description: undefined,
    InstanceProfileList: repo
      .instanceProfilesForRole(role.account, role.name)
      .map((p) => instanceProfileShape(deps, p)),
    RolePolicyList: repo
      .rolePolicies(role.account, role.name)
      .map((r) => ({ PolicyName: r.policyName, PolicyDocument: encodeDocument(r.document) })),
    AttachedManagedPolicies: repo
      .attachedArns(role.account, role.name)
      .map((arn) => managedPolicy(deps, arn))
      .filter((mp) => mp !== undefined)
      .map((mp) => ({ PolicyName: mp.name, PolicyArn: mp.arn })),
  };
}

function policyDetail(deps: IamDeps, account: string, mp: ManagedPolicy): Record<string, unknown> {
  const versions = mp.aws
    ? [
        {
          Document: encodeDocument(mp.aws.document),
          VersionId: mp.defaultVersionId,
          IsDefaultVersion: true,
          CreateDate: mp.updateDate,
        },
      ]
    : deps.repo.policyVersions(mp.arn).map((v) => ({
        Document: encodeDocument(v.document),
        VersionId: v.versionId,
        IsDefaultVersion: v.versionId === mp.defaultVersionId,
        CreateDate: new Date(v.createdAt),
      }));
  return { ...policyShape(deps, account, mp), Tags: undefined, PolicyVersionList: versions };
}

/**
 * GetAccountAuthorizationDetails: the whole account in AWS's export format, so `irsakit audit` (and any
 * tool that reads real exports) can read the emulator's state. Users and groups do not exist here: their
 * lists are always empty. AWS managed policies are listed when something in the account uses them.
 */
export function accountAuthorizationDetailsActions(deps: IamDeps): Record<string, IamAction> {
  return {
    async GetAccountAuthorizationDetails(params, ctx) {
      const p = new IamParams(params);
      const filter = p.list('Filter', {
        pattern: [/^(User|Role|Group|LocalManagedPolicy|AWSManagedPolicy)$/, FILTERS.join('|')],
      });
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:GetAccountAuthorizationDetails', '*');
      const wants = (f: (typeof FILTERS)[number]) => !filter || filter.length === 0 || filter.includes(f);
      type Item =
        | { kind: 'role'; value: Record<string, unknown> }
        | { kind: 'policy'; value: Record<string, unknown> };
      const items: Item[] = [];
      if (wants('Role')) {
        for (const r of deps.repo.roles(ctx.account))
          items.push({ kind: 'role', value: roleDetail(deps, r) });
      }
      if (wants('LocalManagedPolicy')) {
        for (const row of deps.repo.policies(ctx.account)) {
          const mp = managedPolicy(deps, row.arn);
          if (mp) items.push({ kind: 'policy', value: policyDetail(deps, ctx.account, mp) });
        }
      }
      if (wants('AWSManagedPolicy')) {
        for (const a of AWS_MANAGED_POLICIES) {
          const mp = managedPolicy(deps, a.arn);
          if (!mp) continue;
          const used = deps.repo.countAttachments(ctx.account, a.arn) + deps.repo.countBoundaryUsage(a.arn);
          if (used > 0) items.push({ kind: 'policy', value: policyDetail(deps, ctx.account, mp) });
        }
      }
      const { page, ...rest } = paginate(items, paging);
      return {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: page.filter((i) => i.kind === 'role').map((i) => i.value),
        Policies: page.filter((i) => i.kind === 'policy').map((i) => i.value),
        ...rest,
      };
    },
  };
}
