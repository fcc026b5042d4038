import type { AwsContext, QueryParams, QueryResult } from '../aws/service.js';
import type { Store } from '../store/index.js';
import { type AwsManagedPolicy, awsManagedPolicy } from './aws-managed-policies.js';
import { invalidInput, roleNotFound } from './iam-errors.js';
import { type IamParams, RULES, type Tag } from './iam-params.js';
import type { IamRepo, PolicyRow, RoleRow } from './iam-repo.js';
import type { Random } from './ids.js';
import type { PolicyCache } from './policy-cache.js';

/** What every IAM action gets besides its parameters and the request context. */
export interface IamDeps {
  readonly store: Store;
  readonly repo: IamRepo;
  readonly cache: PolicyCache;
  readonly now: () => number;
  readonly random: Random;
}

export type IamAction = (params: QueryParams, ctx: AwsContext) => Promise<QueryResult>;

export const iamArn = (account: string, type: string, path: string, name: string) =>
  `arn:aws:iam::${account}:${type}${path}${name}`;

/** The last path segment of an IAM ARN (`arn:aws:iam::A:role/path/name` → name). */
export function nameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The account field of an ARN, or undefined when it is not an ARN. */
export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' ? parts[4] : undefined;
}

/** The ARN to authorize against: the role's real ARN (with its path), or the default-path ARN if absent. */
export function roleArnOf(deps: IamDeps, account: string, name: string): string {
  return deps.repo.role(account, name)?.arn ?? iamArn(account, 'role', '/', name);
}

export function requireRole(deps: IamDeps, account: string, name: string): RoleRow {
  const role = deps.repo.role(account, name);
  if (!role) throw roleNotFound(name);
  return role;
}

/** AWS omits empty tag lists from most responses. */
export const tagsOut = (tags: readonly Tag[]) => (tags.length > 0 ? tags : undefined);

/** IAM returns policy documents percent-encoded inside the XML (research/sts.md §3.2). */
export const encodeDocument = (text: string) => encodeURIComponent(text);

export function roleShape(role: RoleRow, withLastUsed = false): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createdAt),
    AssumeRolePolicyDocument: encodeDocument(role.trustPolicy),
    Description: role.description ?? undefined,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: role.boundaryArn
      ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: role.boundaryArn }
      : undefined,
    Tags: tagsOut(role.tags),
    RoleLastUsed: withLastUsed ? {} : undefined,
  };
}

/** A managed policy, customer (stored) or AWS (built in), seen the same way. */
export interface ManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly policyId: string;
  readonly path: string;
  readonly description: string | undefined;
  readonly defaultVersionId: string;
  readonly createDate: Date;
  readonly updateDate: Date;
  readonly tags: readonly Tag[];
  readonly aws: AwsManagedPolicy | undefined;
  readonly row: PolicyRow | undefined;
}

export function managedPolicy(deps: IamDeps, arn: string): ManagedPolicy | undefined {
  const aws = awsManagedPolicy(arn);
  if (aws) {
    return {
      arn,
      name: aws.name,
      policyId: aws.policyId,
      path: aws.path,
      description: aws.description,
      defaultVersionId: aws.defaultVersionId,
      createDate: new Date(aws.createDate),
      updateDate: new Date(aws.updateDate),
      tags: [],
      aws,
      row: undefined,
    };
  }
  const row = deps.repo.policy(arn);
  if (!row) return undefined;
  return {
    arn,
    name: row.name,
    policyId: row.policyId,
    path: row.path,
    description: row.description ?? undefined,
    defaultVersionId: row.defaultVersion,
    createDate: new Date(row.createdAt),
    updateDate: new Date(row.updatedAt),
    tags: row.tags,
    aws: undefined,
    row,
  };
}

/** The default version's document and revision key (for the compiled-policy cache). */
export function defaultDocument(deps: IamDeps, p: ManagedPolicy): { text: string; rev: string } {
  if (p.aws) return { text: p.aws.document, rev: p.aws.defaultVersionId };
  const v = deps.repo.policyVersion(p.arn, p.defaultVersionId);
  return { text: v?.document ?? '{}', rev: p.defaultVersionId };
}

export function policyShape(deps: IamDeps, account: string, p: ManagedPolicy, withDescription = true) {
  return {
    PolicyName: p.name,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: deps.repo.countAttachments(account, p.arn),
    PermissionsBoundaryUsageCount: deps.repo.countBoundaryUsage(p.arn),
    IsAttachable: true,
    Description: withDescription ? p.description : undefined,
    CreateDate: p.createDate,
    UpdateDate: p.updateDate,
    Tags: withDescription ? tagsOut(p.tags) : undefined,
  };
}

export interface Paging {
  readonly maxItems: number;
  readonly start: number;
}

/**
 * IAM's Marker/MaxItems paging. The marker is opaque to clients; here it is the base64 of the next
 * offset. Read the paging parameters with the others (before `p.done()`), then cut the page.
 */
export function readPaging(p: IamParams): Paging {
  const maxItems = p.int('MaxItems', 1, 1000) ?? 100;
  const marker = p.string('Marker', RULES.marker);
  let start = 0;
  if (marker !== undefined) {
    start = Number(Buffer.from(marker, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw invalidInput('Invalid Marker.');
  }
  return { maxItems, start };
}

/** Responses carry IsTruncated and, when true, the Marker of the next page. */
export function paginate<T>(
  items: readonly T[],
  paging: Paging,
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const { start, maxItems } = paging;
  const page = items.slice(start, start + maxItems);
  const next = start + page.length;
  if (next < items.length) {
    return { page, IsTruncated: true, Marker: Buffer.from(String(next), 'utf8').toString('base64') };
  }
  return { page, IsTruncated: false };
}
