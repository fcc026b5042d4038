import { type CompiledPolicy, parsePolicy } from '../policy/index.js';
import {
  AWS_ORG_POLICIES,
  type AwsOrgPolicy,
  FULL_AWS_ACCESS,
  RCP_FULL_AWS_ACCESS,
} from './aws-managed-org-policies.js';
import {
  authorizeOrg,
  ENABLED_TYPES,
  type OrgDeps,
  type OrgOperation,
  page,
  RCP,
  randomId,
  SCP,
  str,
} from './org-deps.js';
import { orgErrors } from './org-errors.js';
import type { OrgPolicyRow } from './org-repo.js';
import { type OrgTarget, resolveTarget, targetShape } from './structure-operations.js';

// Organizations quotas: 5 SCPs (and 5 RCPs) per root, OU or account.
const MAX_PER_TARGET = 5;
const KNOWN_TYPES = new Set([
  SCP,
  RCP,
  'TAG_POLICY',
  'BACKUP_POLICY',
  'AISERVICES_OPT_OUT_POLICY',
  'CHATBOT_POLICY',
  'DECLARATIVE_POLICY_EC2',
  'SECURITYHUB_POLICY',
]);

type AnyPolicy = { aws: AwsOrgPolicy; row?: undefined } | { aws?: undefined; row: OrgPolicyRow };

export function policyArn(deps: OrgDeps, row: OrgPolicyRow): string {
  const o = deps.org();
  return `arn:aws:organizations::${o.managementAccount}:policy/${o.id}/${row.type.toLowerCase()}/${row.id}`;
}

export function summary(deps: OrgDeps, p: AnyPolicy): Record<string, unknown> {
  if (p.aws) {
    return {
      Id: p.aws.id,
      Arn: p.aws.arn,
      Name: p.aws.name,
      Description: p.aws.description,
      Type: p.aws.type,
      AwsManaged: true,
    };
  }
  const r = p.row;
  return {
    Id: r.id,
    Arn: policyArn(deps, r),
    Name: r.name,
    Description: r.description,
    Type: r.type,
    AwsManaged: false,
  };
}

function findPolicy(deps: OrgDeps, id: string): AnyPolicy {
  const aws = AWS_ORG_POLICIES.find((p) => p.id === id);
  if (aws) return { aws };
  const row = deps.repo.policy(id);
  if (!row) throw orgErrors.policyNotFound();
  return { row };
}

function customer(deps: OrgDeps, id: string): OrgPolicyRow {
  const p = findPolicy(deps, id);
  if (p.aws) throw orgErrors.accessDenied();
  return p.row;
}

function checkType(type: string): void {
  if (!KNOWN_TYPES.has(type)) {
    throw orgErrors.invalidInput('INVALID_ENUM', `You specified an invalid value for Type: ${type}.`);
  }
  if (!(ENABLED_TYPES as readonly string[]).includes(type)) throw orgErrors.policyTypeNotEnabled();
}

/** Validates an SCP or RCP with the policy engine; the size quota is Organizations' 5,120 characters. */
export function compileOrgPolicy(content: string, type: string, name: string): CompiledPolicy {
  const res = parsePolicy(content, {
    kind: type === RCP ? 'rcp' : 'scp',
    limit: type === RCP ? 'rcp' : 'scp',
    name,
  });
  if (res.ok) return res.policy;
  if (res.error.code === 'LimitExceeded') {
    throw orgErrors.constraint(
      'POLICY_CONTENT_LIMIT_EXCEEDED',
      'You attempted to create or update a policy whose content exceeds the size limit for its policy type.',
    );
  }
  throw orgErrors.malformed();
}

/** The policies of one type attached to a target, RCPFullAWSAccess included for RCPs (it is everywhere). */
export function attachedOfType(deps: OrgDeps, targetId: string, type: string): AnyPolicy[] {
  const out: AnyPolicy[] = [];
  if (type === RCP) out.push({ aws: RCP_FULL_AWS_ACCESS });
  for (const id of deps.repo.attachedTo(targetId)) {
    if (id === FULL_AWS_ACCESS.id) {
      if (type === SCP) out.push({ aws: FULL_AWS_ACCESS });
      continue;
    }
    const row = deps.repo.policy(id);
    if (row && row.type === type) out.push({ row });
  }
  return out;
}

export function policyOperations(deps: OrgDeps): Record<string, OrgOperation> {
  const { repo, store } = deps;

  return {
    async CreatePolicy(input, ctx) {
      const name = str(input, 'Name', true);
      const content = str(input, 'Content', true);
      const type = str(input, 'Type', true);
      const description = str(input, 'Description') ?? '';
      await authorizeOrg(deps, ctx, 'CreatePolicy', '*');
      checkType(type);
      compileOrgPolicy(content, type, name);
      const row = store.tx(() => {
        if (repo.policies(type).some((p) => p.name === name)) throw orgErrors.duplicatePolicy();
        const created: OrgPolicyRow = {
          id: `p-${randomId(deps.random, 8)}`,
          type,
          name,
          description,
          content,
          rev: randomId(deps.random, 8),
        };
        repo.insertPolicy(created, deps.now());
        return created;
      });
      return { Policy: { PolicySummary: summary(deps, { row }), Content: row.content } };
    },

    async DescribePolicy(input, ctx) {
      const id = str(input, 'PolicyId', true);
      await authorizeOrg(deps, ctx, 'DescribePolicy', '*');
      const p = findPolicy(deps, id);
      return { Policy: { PolicySummary: summary(deps, p), Content: p.aws ? p.aws.content : p.row.content } };
    },

    async UpdatePolicy(input, ctx) {
      const id = str(input, 'PolicyId', true);
      const name = str(input, 'Name');
      const description = str(input, 'Description');
      const content = str(input, 'Content');
      await authorizeOrg(deps, ctx, 'UpdatePolicy', '*');
      const updated = store.tx(() => {
        const row = customer(deps, id);
        if (content !== undefined) compileOrgPolicy(content, row.type, name ?? row.name);
        if (name !== undefined && name !== row.name && repo.policies(row.type).some((p) => p.name === name)) {
          throw orgErrors.duplicatePolicy();
        }
        const next: OrgPolicyRow = {
          ...row,
          name: name ?? row.name,
          description: description ?? row.description,
          content: content ?? row.content,
          rev: content === undefined ? row.rev : randomId(deps.random, 8),
        };
        repo.updatePolicy(next);
        return next;
      });
      return { Policy: { PolicySummary: summary(deps, { row: updated }), Content: updated.content } };
    },

    async DeletePolicy(input, ctx) {
      const id = str(input, 'PolicyId', true);
      await authorizeOrg(deps, ctx, 'DeletePolicy', '*');
      store.tx(() => {
        customer(deps, id);
        if (repo.targetsOf(id).length > 0) throw orgErrors.policyInUse();
        repo.deletePolicy(id);
      });
      return {};
    },

    async ListPolicies(input, ctx) {
      const filter = str(input, 'Filter', true);
      await authorizeOrg(deps, ctx, 'ListPolicies', '*');
      if (!KNOWN_TYPES.has(filter)) checkType(filter);
      const all: AnyPolicy[] = [
        ...AWS_ORG_POLICIES.filter((p) => p.type === filter).map((aws) => ({ aws })),
        ...repo.policies(filter).map((row) => ({ row })),
      ];
      const { items, NextToken } = page(all, input);
      return { Policies: items.map((p) => summary(deps, p)), NextToken };
    },

    async AttachPolicy(input, ctx) {
      const id = str(input, 'PolicyId', true);
      const targetId = str(input, 'TargetId', true);
      await authorizeOrg(deps, ctx, 'AttachPolicy', '*');
      store.tx(() => {
        const p = findPolicy(deps, id);
        resolveTarget(deps, targetId);
        const type = p.aws ? p.aws.type : p.row.type;
        if (p.aws?.id === RCP_FULL_AWS_ACCESS.id) throw orgErrors.duplicateAttachment();
        if (repo.attachedTo(targetId).includes(id)) throw orgErrors.duplicateAttachment();
        const count = attachedOfType(deps, targetId, type).length - (type === RCP ? 1 : 0);
        if (count >= MAX_PER_TARGET) {
          throw orgErrors.constraint(
            'POLICY_NUMBER_LIMIT_EXCEEDED',
            'You have attached the maximum number of policies of this type to the specified target.',
          );
        }
        repo.attach(id, targetId, deps.now());
      });
      return {};
    },

    async DetachPolicy(input, ctx) {
      const id = str(input, 'PolicyId', true);
      const targetId = str(input, 'TargetId', true);
      await authorizeOrg(deps, ctx, 'DetachPolicy', '*');
      store.tx(() => {
        const p = findPolicy(deps, id);
        resolveTarget(deps, targetId);
        if (p.aws?.id === RCP_FULL_AWS_ACCESS.id) {
          throw orgErrors.constraint(
            'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
            'You cannot detach RCPFullAWSAccess: it is attached to every root, OU and account.',
          );
        }
        if (!repo.attachedTo(targetId).includes(id)) throw orgErrors.notAttached();
        // Every root, OU and account keeps at least one SCP; otherwise nothing would be allowed below it.
        const type = p.aws ? p.aws.type : p.row.type;
        if (type === SCP && attachedOfType(deps, targetId, SCP).length <= 1) {
          throw orgErrors.constraint(
            'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
            'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
          );
        }
        repo.detach(id, targetId);
      });
      return {};
    },

    async ListPoliciesForTarget(input, ctx) {
      const targetId = str(input, 'TargetId', true);
      const filter = str(input, 'Filter', true);
      await authorizeOrg(deps, ctx, 'ListPoliciesForTarget', '*');
      resolveTarget(deps, targetId);
      checkType(filter);
      const { items, NextToken } = page(attachedOfType(deps, targetId, filter), input);
      return { Policies: items.map((p) => summary(deps, p)), NextToken };
    },

    async ListTargetsForPolicy(input, ctx) {
      const id = str(input, 'PolicyId', true);
      await authorizeOrg(deps, ctx, 'ListTargetsForPolicy', '*');
      const p = findPolicy(deps, id);
      const targetIds: string[] =
        p.aws?.id === RCP_FULL_AWS_ACCESS.id ? allTargetIds(deps) : repo.targetsOf(id);
      const targets = targetIds
        .map((t) => {
          try {
            return resolveTarget(deps, t);
          } catch {
            return undefined;
          }
        })
        .filter((t): t is OrgTarget => t !== undefined);
      const { items, NextToken } = page(targets, input);
      return { Targets: items.map((t) => targetShape(deps, t)), NextToken };
    },
  };
}

function allTargetIds(deps: OrgDeps): string[] {
  const out: string[] = [];
  const walk = (parent: string) => {
    out.push(parent);
    for (const a of deps.repo.accountsIn(parent)) out.push(a.id);
    for (const ou of deps.repo.ousIn(parent)) walk(ou.id);
  };
  walk(deps.org().rootId);
  return out;
}
