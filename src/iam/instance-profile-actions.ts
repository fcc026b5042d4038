import {
  type IamAction,
  type IamDeps,
  iamArn,
  paginate,
  readPaging,
  requireRole,
  roleArnOf,
  roleShape,
  tagsOut,
} from './iam-deps.js';
import {
  deleteConflict,
  entityAlreadyExists,
  instanceProfileNotFound,
  limitExceeded,
  noSuchEntity,
} from './iam-errors.js';
import { IamParams, RULES } from './iam-params.js';
import type { InstanceProfileRow } from './iam-repo.js';
import { uniqueId } from './ids.js';
import { mergeTags, tagContext } from './tags.js';

export function instanceProfileShape(deps: IamDeps, row: InstanceProfileRow): Record<string, unknown> {
  const role = row.roleNameLc === null ? undefined : deps.repo.role(row.account, row.roleNameLc);
  return {
    Path: row.path,
    InstanceProfileName: row.name,
    InstanceProfileId: row.profileId,
    Arn: row.arn,
    CreateDate: new Date(row.createdAt),
    // Roles inside an instance profile carry neither tags nor RoleLastUsed.
    Roles: role ? [{ ...roleShape(role), Tags: undefined }] : [],
    Tags: tagsOut(row.tags),
  };
}

function requireProfile(deps: IamDeps, account: string, name: string): InstanceProfileRow {
  const row = deps.repo.instanceProfile(account, name);
  if (!row) throw instanceProfileNotFound(name);
  return row;
}

const profileArnOf = (deps: IamDeps, account: string, name: string) =>
  deps.repo.instanceProfile(account, name)?.arn ?? iamArn(account, 'instance-profile', '/', name);

export function instanceProfileActions(deps: IamDeps): Record<string, IamAction> {
  const { repo, store } = deps;

  return {
    async CreateInstanceProfile(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('InstanceProfileName', RULES.instanceProfileName);
      const path = p.string('Path', RULES.path) ?? '/';
      const tags = p.tags();
      p.done();
      const arn = iamArn(ctx.account, 'instance-profile', path, name);
      await ctx.authorize('iam:CreateInstanceProfile', arn, tagContext(tags));
      const row = store.tx(() => {
        if (repo.instanceProfile(ctx.account, name))
          throw entityAlreadyExists(`Instance Profile ${name} already exists.`);
        const created: InstanceProfileRow = {
          account: ctx.account,
          name,
          profileId: uniqueId('AIPA', deps.random),
          path,
          arn,
          roleNameLc: null,
          tags: mergeTags([], tags),
          createdAt: deps.now(),
        };
        repo.insertInstanceProfile(created);
        return created;
      });
      return { InstanceProfile: instanceProfileShape(deps, row) };
    },

    async GetInstanceProfile(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('InstanceProfileName', RULES.instanceProfileName);
      p.done();
      await ctx.authorize('iam:GetInstanceProfile', profileArnOf(deps, ctx.account, name));
      return { InstanceProfile: instanceProfileShape(deps, requireProfile(deps, ctx.account, name)) };
    },

    async ListInstanceProfiles(params, ctx) {
      const p = new IamParams(params);
      const prefix = p.string('PathPrefix', RULES.pathPrefix) ?? '/';
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListInstanceProfiles', '*');
      const rows = repo.instanceProfiles(ctx.account).filter((r) => r.path.startsWith(prefix));
      const { page, ...rest } = paginate(rows, paging);
      return { InstanceProfiles: page.map((r) => instanceProfileShape(deps, r)), ...rest };
    },

    async ListInstanceProfilesForRole(params, ctx) {
      const p = new IamParams(params);
      const roleName = p.required('RoleName', RULES.roleName);
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListInstanceProfilesForRole', roleArnOf(deps, ctx.account, roleName));
      requireRole(deps, ctx.account, roleName);
      const { page, ...rest } = paginate(repo.instanceProfilesForRole(ctx.account, roleName), paging);
      return { InstanceProfiles: page.map((r) => instanceProfileShape(deps, r)), ...rest };
    },

    async AddRoleToInstanceProfile(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('InstanceProfileName', RULES.instanceProfileName);
      const roleName = p.required('RoleName', RULES.roleName);
      p.done();
      await ctx.authorize('iam:AddRoleToInstanceProfile', profileArnOf(deps, ctx.account, name));
      store.tx(() => {
        const row = requireProfile(deps, ctx.account, name);
        requireRole(deps, ctx.account, roleName);
        // An instance profile holds one role (reference_iam-quotas: roles per instance profile = 1).
        if (row.roleNameLc !== null) {
          throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
        }
        repo.setInstanceProfileRole(ctx.account, name, roleName);
      });
      return undefined;
    },

    async RemoveRoleFromInstanceProfile(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('InstanceProfileName', RULES.instanceProfileName);
      const roleName = p.required('RoleName', RULES.roleName);
      p.done();
      await ctx.authorize('iam:RemoveRoleFromInstanceProfile', profileArnOf(deps, ctx.account, name));
      store.tx(() => {
        const row = requireProfile(deps, ctx.account, name);
        requireRole(deps, ctx.account, roleName);
        if (row.roleNameLc !== roleName.toLowerCase()) {
          throw noSuchEntity(`The role with name ${roleName} cannot be found in instance profile ${name}.`);
        }
        repo.setInstanceProfileRole(ctx.account, name, null);
      });
      return undefined;
    },

    async DeleteInstanceProfile(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('InstanceProfileName', RULES.instanceProfileName);
      p.done();
      await ctx.authorize('iam:DeleteInstanceProfile', profileArnOf(deps, ctx.account, name));
      store.tx(() => {
        const row = requireProfile(deps, ctx.account, name);
        if (row.roleNameLc !== null) {
          throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
        }
        repo.deleteInstanceProfile(ctx.account, name);
      });
      return undefined;
    },
  };
}
