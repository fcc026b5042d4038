import { AwsError } from '../aws/service.js';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.js';
import {
  encodeDocument,
  type IamAction,
  type IamDeps,
  iamArn,
  type ManagedPolicy,
  managedPolicy,
  paginate,
  policyShape,
  readPaging,
} from './iam-deps.js';
import {
  deleteConflict,
  entityAlreadyExists,
  limitExceeded,
  malformedPolicyDocument,
  noSuchEntity,
  policyNotFound,
} from './iam-errors.js';
import { IamParams, RULES } from './iam-params.js';
import type { PolicyRow } from './iam-repo.js';
import { uniqueId } from './ids.js';
import { compileForWrite } from './policy-cache.js';
import { mergeTags, removeTags, tagContext } from './tags.js';

// A managed policy keeps at most five versions (reference_iam-quotas).
const MAX_VERSIONS = 5;

/** Managed policies must say Version 2012-10-17 (iam.md §2.2, moto's AWS-derived message). */
function compileManaged(text: string, name: string): void {
  const policy = compileForWrite(text, 'identity', 'managed', name);
  if (policy.version !== '2012-10-17') {
    throw malformedPolicyDocument('Policy document must be version 2012-10-17 or greater.');
  }
}

function requirePolicy(deps: IamDeps, arn: string): ManagedPolicy {
  const p = managedPolicy(deps, arn);
  if (!p) throw policyNotFound(arn);
  return p;
}

/** The stored row of a customer managed policy; AWS managed policies cannot be changed. */
function requireCustomer(deps: IamDeps, account: string, arn: string): PolicyRow {
  const p = requirePolicy(deps, arn);
  if (!p.row || p.row.account !== account) {
    if (p.aws) throw new AwsError('UnmodifiableEntity', `Cannot modify AWS managed policy ${arn}.`, 400);
    throw policyNotFound(arn);
  }
  return p.row;
}

const versionNotFound = (arn: string, versionId: string) =>
  noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);

export function managedPolicyActions(deps: IamDeps): Record<string, IamAction> {
  const { repo, store } = deps;

  return {
    async CreatePolicy(params, ctx) {
      const p = new IamParams(params);
      const name = p.required('PolicyName', RULES.policyName);
      const path = p.string('Path', RULES.policyPath) ?? '/';
      const document = p.required('PolicyDocument', RULES.policyDocument);
      const description = p.string('Description', RULES.description);
      const tags = p.tags();
      p.done();
      const arn = iamArn(ctx.account, 'policy', path, name);
      await ctx.authorize('iam:CreatePolicy', arn, tagContext(tags));
      compileManaged(document, name);
      const row = store.tx(() => {
        if (repo.policyByName(ctx.account, name)) {
          throw entityAlreadyExists(
            `A policy called ${name} already exists. Duplicate names are not allowed.`,
          );
        }
        const now = deps.now();
        const created: PolicyRow = {
          account: ctx.account,
          arn,
          name,
          policyId: uniqueId('ANPA', deps.random),
          path,
          description: description ?? null,
          defaultVersion: 'v1',
          nextVersion: 2,
          tags: mergeTags([], tags),
          createdAt: now,
          updatedAt: now,
        };
        repo.insertPolicy(created);
        repo.insertPolicyVersion({ policyArn: arn, versionId: 'v1', document, createdAt: now });
        return created;
      });
      return { Policy: policyShape(deps, ctx.account, requirePolicy(deps, row.arn)) };
    },

    async GetPolicy(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      p.done();
      await ctx.authorize('iam:GetPolicy', arn);
      return { Policy: policyShape(deps, ctx.account, requirePolicy(deps, arn)) };
    },

    async ListPolicies(params, ctx) {
      const p = new IamParams(params);
      const scope = p.string('Scope', { pattern: [/^(All|AWS|Local)$/, 'All|AWS|Local'] }) ?? 'All';
      const onlyAttached = p.bool('OnlyAttached') ?? false;
      const prefix = p.string('PathPrefix', RULES.policyPath) ?? '/';
      const usage = p.string('PolicyUsageFilter', {
        pattern: [/^(PermissionsPolicy|PermissionsBoundary)$/, 'PermissionsPolicy|PermissionsBoundary'],
      });
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListPolicies', '*');
      const all: ManagedPolicy[] = [];
      if (scope !== 'Local') {
        for (const a of AWS_MANAGED_POLICIES) {
          const mp = managedPolicy(deps, a.arn);
          if (mp) all.push(mp);
        }
      }
      if (scope !== 'AWS') {
        for (const r of repo.policies(ctx.account)) {
          const mp = managedPolicy(deps, r.arn);
          if (mp) all.push(mp);
        }
      }
      const shaped = all
        .filter((mp) => mp.path.startsWith(prefix))
        .map((mp) => policyShape(deps, ctx.account, mp, false))
        .filter((s) => {
          if (usage === 'PermissionsPolicy' && onlyAttached) return s.AttachmentCount > 0;
          if (usage === 'PermissionsBoundary') return !onlyAttached || s.PermissionsBoundaryUsageCount > 0;
          return !onlyAttached || s.AttachmentCount > 0 || s.PermissionsBoundaryUsageCount > 0;
        })
        .sort((a, b) => a.PolicyName.toLowerCase().localeCompare(b.PolicyName.toLowerCase()));
      const { page, ...rest } = paginate(shaped, paging);
      return { Policies: page, ...rest };
    },

    async DeletePolicy(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      p.done();
      await ctx.authorize('iam:DeletePolicy', arn);
      store.tx(() => {
        requireCustomer(deps, ctx.account, arn);
        // A boundary in use counts as an attachment: deleting it would leave roles naming a missing policy.
        if (repo.countAttachments(ctx.account, arn) > 0 || repo.countBoundaryUsage(arn) > 0) {
          throw deleteConflict('Cannot delete a policy attached to entities.');
        }
        if (repo.policyVersions(arn).length > 1) {
          throw deleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
          );
        }
        repo.deletePolicy(arn);
      });
      return undefined;
    },

    async CreatePolicyVersion(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const document = p.required('PolicyDocument', RULES.policyDocument);
      const setAsDefault = p.bool('SetAsDefault') ?? false;
      p.done();
      await ctx.authorize('iam:CreatePolicyVersion', arn);
      const created = store.tx(() => {
        const row = requireCustomer(deps, ctx.account, arn);
        compileManaged(document, row.name);
        if (repo.policyVersions(arn).length >= MAX_VERSIONS) {
          throw limitExceeded(
            'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
          );
        }
        const now = deps.now();
        const versionId = `v${row.nextVersion}`;
        repo.insertPolicyVersion({ policyArn: arn, versionId, document, createdAt: now });
        repo.updatePolicy({
          ...row,
          nextVersion: row.nextVersion + 1,
          defaultVersion: setAsDefault ? versionId : row.defaultVersion,
          updatedAt: now,
        });
        return { VersionId: versionId, IsDefaultVersion: setAsDefault, CreateDate: new Date(now) };
      });
      return { PolicyVersion: created };
    },

    async GetPolicyVersion(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const versionId = p.required('VersionId', RULES.versionId);
      p.done();
      await ctx.authorize('iam:GetPolicyVersion', arn);
      const mp = requirePolicy(deps, arn);
      if (mp.aws) {
        if (versionId !== mp.defaultVersionId) throw versionNotFound(arn, versionId);
        return {
          PolicyVersion: {
            Document: encodeDocument(mp.aws.document),
            VersionId: versionId,
            IsDefaultVersion: true,
            CreateDate: mp.updateDate,
          },
        };
      }
      const v = repo.policyVersion(arn, versionId);
      if (!v) throw versionNotFound(arn, versionId);
      return {
        PolicyVersion: {
          Document: encodeDocument(v.document),
          VersionId: v.versionId,
          IsDefaultVersion: v.versionId === mp.defaultVersionId,
          CreateDate: new Date(v.createdAt),
        },
      };
    },

    async ListPolicyVersions(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListPolicyVersions', arn);
      const mp = requirePolicy(deps, arn);
      const versions = mp.aws
        ? [{ VersionId: mp.defaultVersionId, IsDefaultVersion: true, CreateDate: mp.updateDate }]
        : repo.policyVersions(arn).map((v) => ({
            VersionId: v.versionId,
            IsDefaultVersion: v.versionId === mp.defaultVersionId,
            CreateDate: new Date(v.createdAt),
          }));
      const { page, ...rest } = paginate(versions, paging);
      return { Versions: page, ...rest };
    },

    async SetDefaultPolicyVersion(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const versionId = p.required('VersionId', RULES.versionId);
      p.done();
      await ctx.authorize('iam:SetDefaultPolicyVersion', arn);
      store.tx(() => {
        const row = requireCustomer(deps, ctx.account, arn);
        if (!repo.policyVersion(arn, versionId)) throw versionNotFound(arn, versionId);
        repo.updatePolicy({ ...row, defaultVersion: versionId, updatedAt: deps.now() });
      });
      return undefined;
    },

    async DeletePolicyVersion(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const versionId = p.required('VersionId', RULES.versionId);
      p.done();
      await ctx.authorize('iam:DeletePolicyVersion', arn);
      store.tx(() => {
        const row = requireCustomer(deps, ctx.account, arn);
        if (!repo.policyVersion(arn, versionId)) throw versionNotFound(arn, versionId);
        if (row.defaultVersion === versionId)
          throw deleteConflict('Cannot delete the default version of a policy.');
        repo.deletePolicyVersion(arn, versionId);
      });
      return undefined;
    },

    async TagPolicy(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const tags = p.tags();
      p.done();
      await ctx.authorize('iam:TagPolicy', arn, tagContext(tags));
      store.tx(() => {
        const row = requireCustomer(deps, ctx.account, arn);
        repo.updatePolicy({ ...row, tags: mergeTags(row.tags, tags) });
      });
      return undefined;
    },

    async UntagPolicy(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const keys = p.list('TagKeys', RULES.tagKey, true) ?? [];
      p.done();
      await ctx.authorize('iam:UntagPolicy', arn, { 'aws:TagKeys': keys });
      store.tx(() => {
        const row = requireCustomer(deps, ctx.account, arn);
        repo.updatePolicy({ ...row, tags: removeTags(row.tags, keys) });
      });
      return undefined;
    },

    async ListPolicyTags(params, ctx) {
      const p = new IamParams(params);
      const arn = p.required('PolicyArn', RULES.arn);
      const paging = readPaging(p);
      p.done();
      await ctx.authorize('iam:ListPolicyTags', arn);
      const { page, ...rest } = paginate([...requirePolicy(deps, arn).tags], paging);
      return { Tags: page, ...rest };
    },
  };
}
