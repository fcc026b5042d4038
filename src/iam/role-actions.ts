import {
  type IamAction,
  type IamDeps,
  iamArn,
  managedPolicy,
  paginate,
  readPaging,
  requireRole,
  roleArnOf,
  roleShape,
} from './iam-deps.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity } from './iam-errors.js';
import { IamParams, RULES } from './iam-params.js';
import { revision, uniqueId } from './ids.js';
import { compileForWrite } from './policy-cache.js';
import { mergeTags, removeTags, tagContext } from './tags.js';

/** A permissions boundary must name an existing managed policy (customer or AWS). */
function checkBoundary(deps: IamDeps, arn: string): void {
  if (!managedPolicy(deps, arn)) throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
}

export function roleActions(deps: IamDeps): Record<string, IamAction> {
  const { repo, store } = deps;

  return {
    async CreateRole(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const document = p.required('AssumeRolePolicyDocument', RULES.policyDocument);
      const path = p.string('Path', RULES.path) ?? '/';
      const description = p.string('Description', RULES.description);
      const maxSessionDuration = p.int('MaxSessionDuration', 3600, 43200) ?? 3600;
      const boundary = p.string('PermissionsBoundary', RULES.arn);
      const tags = p.tags();
      p.done();
      const arn = iamArn(ctx.account, 'role', path, name);
      await ctx.authorize('iam:CreateRole', arn, {
        ...tagContext(tags),
        ...(boundary ? { 'iam:PermissionsBoundary': boundary } : {}),
      });
      compileForWrite(document, 'trust', 'trust', 'AssumeRolePolicyDocument');
      const row = store.tx(() => {
        if (repo.role(ctx.account, name)) throw entityAlreadyExists(`Role with name ${name} already exists.`);
        if (boundary) checkBoundary(deps, boundary);
        const created = {
          account: ctx.account,
          name,
          roleId: uniqueId('AROA', deps.random),
          path,
          arn,
          trustPolicy: document,
          trustRev: revision(deps.random),
          description: description ?? null,
          maxSessionDuration,
          boundaryArn: boundary ?? null,
          tags: mergeTags([], tags),
          createdAt: deps.now(),
        };
        repo.insertRole(created);
        return created;
      });
      return { Role: roleShape(row) };
    },

    async GetRole(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      p.done();
      await ctx.authorize('iam:GetRole', roleArnOf(deps, ctx.account, name));
      return { Role: roleShape(requireRole(deps, ctx.account, name), true) };
    },

    async ListRoles(params, ctx) {
      const p = new IamParams(params);
      const prefix = p.string('PathPrefix', RULES.pathPrefix) ?? '/';
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListRoles', '*');
      const roles = repo.roles(ctx.account).filter((r) => r.path.startsWith(prefix));
      const { page, ...rest } = paginate(roles, paging);
      // ListRoles leaves out tags, the permissions boundary and RoleLastUsed (the API reference says so).
      return {
        Roles: page.map((r) => ({ ...roleShape(r), Tags: undefined, PermissionsBoundary: undefined })),
        ...rest,
      };
    },

    async DeleteRole(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      p.done();
      await ctx.authorize('iam:DeleteRole', roleArnOf(deps, ctx.account, name));
      store.tx(() => {
        requireRole(deps, ctx.account, name);
        if (repo.instanceProfilesForRole(ctx.account, name).length > 0) {
          throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
        }
        if (repo.attachedArns(ctx.account, name).length > 0) {
          throw deleteConflict('Cannot delete entity, must detach all policies first.');
        }
        if (repo.rolePolicies(ctx.account, name).length > 0) {
          throw deleteConflict('Cannot delete entity, must delete policies first.');
        }
        repo.deleteRole(ctx.account, name);
      });
      return undefined;
    },

    async UpdateAssumeRolePolicy(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const document = p.required('PolicyDocument', RULES.policyDocument);
      p.done();
      await ctx.authorize('iam:UpdateAssumeRolePolicy', roleArnOf(deps, ctx.account, name));
      store.tx(() => {
        const role = requireRole(deps, ctx.account, name);
        compileForWrite(document, 'trust', 'trust', 'PolicyDocument');
        repo.updateRole({ ...role, trustPolicy: document, trustRev: revision(deps.random) });
      });
      return undefined;
    },

    async UpdateRole(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const description = p.string('Description', RULES.description);
      const maxSessionDuration = p.int('MaxSessionDuration', 3600, 43200);
      p.done();
      await ctx.authorize('iam:UpdateRole', roleArnOf(deps, ctx.account, name));
      store.tx(() => {
        const role = requireRole(deps, ctx.account, name);
        repo.updateRole({
          ...role,
          description: description ?? role.description,
          maxSessionDuration: maxSessionDuration ?? role.maxSessionDuration,
        });
      });
      return {};
    },

    async UpdateRoleDescription(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const description = p.required('Description', RULES.description);
      p.done();
      await ctx.authorize('iam:UpdateRoleDescription', roleArnOf(deps, ctx.account, name));
      const updated = store.tx(() => {
        const role = { ...requireRole(deps, ctx.account, name), description };
        repo.updateRole(role);
        return role;
      });
      return { Role: roleShape(updated) };
    },

    async PutRolePermissionsBoundary(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const boundary = p.required('PermissionsBoundary', RULES.arn);
      p.done();
      await ctx.authorize('iam:PutRolePermissionsBoundary', roleArnOf(deps, ctx.account, name), {
        'iam:PermissionsBoundary': boundary,
      });
      store.tx(() => {
        const role = requireRole(deps, ctx.account, name);
        checkBoundary(deps, boundary);
        repo.updateRole({ ...role, boundaryArn: boundary });
      });
      return undefined;
    },

    async DeleteRolePermissionsBoundary(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      p.done();
      await ctx.authorize('iam:DeleteRolePermissionsBoundary', roleArnOf(deps, ctx.account, name));
      store.tx(() => {
        const role = requireRole(deps, ctx.account, name);
        repo.updateRole({ ...role, boundaryArn: null });
      });
      return undefined;
    },

    async TagRole(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const tags = p.tags();
      p.done();
      await ctx.authorize('iam:TagRole', roleArnOf(deps, ctx.account, name), tagContext(tags));
      store.tx(() => {
        const role = requireRole(deps, ctx.account, name);
        repo.updateRole({ ...role, tags: mergeTags(role.tags, tags) });
      });
      return undefined;
    },

    async UntagRole(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const keys = p.list('TagKeys', RULES.tagKey, true) ?? [];
      p.done();
      await ctx.authorize('iam:UntagRole', roleArnOf(deps, ctx.account, name), { 'aws:TagKeys': keys });
      store.tx(() => {
        const role = requireRole(deps, ctx.account, name);
        repo.updateRole({ ...role, tags: removeTags(role.tags, keys) });
      });
      return undefined;
    },

    async ListRoleTags(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListRoleTags', roleArnOf(deps, ctx.account, name));
      const { page, ...rest } = paginate(requireRole(deps, ctx.account, name).tags, paging);
      return { Tags: page, ...rest };
    },
  };
}
