import {
  encodeDocument,
  type IamAction,
  type IamDeps,
  type ManagedPolicy,
  managedPolicy,
  paginate,
  readPaging,
  requireRole,
  roleArnOf,
} from './iam-deps.js';
import { limitExceeded, noSuchEntity, policyNotAttachable, policyNotFound } from './iam-errors.js';
import { IamParams, RULES } from './iam-params.js';
import { revision } from './ids.js';
import { compileForWrite } from './policy-cache.js';

// reference_iam-quotas: 10 managed policies per role by default; inline policies of a role share 10,240
// characters, whitespace not counted.
const MAX_ATTACHED = 10;
const MAX_INLINE_AGGREGATE = 10_240;

const sizeOf = (text: string) => text.replace(/\s+/g, '').length;

export function rolePolicyActions(deps: IamDeps): Record<string, IamAction> {
  const { repo, store } = deps;

  return {
    async AttachRolePolicy(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const policyArn = p.required('PolicyArn', RULES.arn);
      p.done();
      await ctx.authorize('iam:AttachRolePolicy', roleArnOf(deps, ctx.account, name), {
        'iam:PolicyARN': policyArn,
      });
      store.tx(() => {
        requireRole(deps, ctx.account, name);
        const mp = managedPolicy(deps, policyArn);
        if (!mp || (mp.row && mp.row.account !== ctx.account)) throw policyNotAttachable(policyArn);
        const attached = repo.attachedArns(ctx.account, name);
        if (attached.includes(policyArn)) return;
        if (attached.length >= MAX_ATTACHED) {
          throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${MAX_ATTACHED}`);
        }
        repo.attach(ctx.account, name, policyArn, deps.now());
      });
      return undefined;
    },

    async DetachRolePolicy(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const policyArn = p.required('PolicyArn', RULES.arn);
      p.done();
      await ctx.authorize('iam:DetachRolePolicy', roleArnOf(deps, ctx.account, name), {
        'iam:PolicyARN': policyArn,
      });
      store.tx(() => {
        requireRole(deps, ctx.account, name);
        if (repo.detach(ctx.account, name, policyArn) === 0) throw policyNotFound(policyArn);
      });
      return undefined;
    },

    async ListAttachedRolePolicies(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const prefix = p.string('PathPrefix', RULES.policyPath) ?? '/';
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListAttachedRolePolicies', roleArnOf(deps, ctx.account, name));
      requireRole(deps, ctx.account, name);
      const attached = repo
        .attachedArns(ctx.account, name)
        .map((arn) => managedPolicy(deps, arn))
        .filter((mp): mp is ManagedPolicy => mp?.path.startsWith(prefix) === true)
        .map((mp) => ({ PolicyName: mp.name, PolicyArn: mp.arn }));
      const { page, ...rest } = paginate(attached, paging);
      return { AttachedPolicies: page, ...rest };
    },

    async PutRolePolicy(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const policyName = p.required('PolicyName', RULES.policyName);
      const document = p.required('PolicyDocument', RULES.policyDocument);
      p.done();
      await ctx.authorize('iam:PutRolePolicy', roleArnOf(deps, ctx.account, name));
      store.tx(() => {
        const role = requireRole(deps, ctx.account, name);
        compileForWrite(document, 'identity', 'inline-role', policyName);
        const others = repo.rolePolicies(ctx.account, name).filter((r) => r.policyName !== policyName);
        const total = others.reduce((n, r) => n + sizeOf(r.document), sizeOf(document));
        if (total > MAX_INLINE_AGGREGATE) {
          throw limitExceeded(
            `Maximum policy size of ${MAX_INLINE_AGGREGATE} bytes exceeded for role ${role.name}`,
          );
        }
        repo.putRolePolicy(ctx.account, name, policyName, document, revision(deps.random));
      });
      return undefined;
    },

    async GetRolePolicy(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const policyName = p.required('PolicyName', RULES.policyName);
      p.done();
      await ctx.authorize('iam:GetRolePolicy', roleArnOf(deps, ctx.account, name));
      const role = requireRole(deps, ctx.account, name);
      const row = repo.rolePolicy(ctx.account, name, policyName);
      if (!row) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
      return {
        RoleName: role.name,
        PolicyName: row.policyName,
        PolicyDocument: encodeDocument(row.document),
      };
    },

    async DeleteRolePolicy(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const policyName = p.required('PolicyName', RULES.policyName);
      p.done();
      await ctx.authorize('iam:DeleteRolePolicy', roleArnOf(deps, ctx.account, name));
      store.tx(() => {
        requireRole(deps, ctx.account, name);
        if (repo.deleteRolePolicy(ctx.account, name, policyName) === 0) {
          throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
        }
      });
      return undefined;
    },

    async ListRolePolicies(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('RoleName', RULES.roleName);
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListRolePolicies', roleArnOf(deps, ctx.account, name));
      requireRole(deps, ctx.account, name);
      const names = repo.rolePolicies(ctx.account, name).map((r) => r.policyName);
      const { page, ...rest } = paginate(names, paging);
      return { PolicyNames: page, ...rest };
    },
  };
}
