import type { AwsContext } from '../aws/service.js';
import type { Store } from '../store/index.js';
import { orgErrors } from './org-errors.js';
import type { OrganizationRow, OrgRepo } from './org-repo.js';

export type Random = (n: number) => Buffer;

export interface OrgDeps {
  readonly store: Store;
  readonly repo: OrgRepo;
  readonly now: () => number;
  readonly random: Random;
  readonly org: () => OrganizationRow;
}

export type OrgOperation = (input: Record<string, unknown>, ctx: AwsContext) => Promise<unknown>;

export const SCP = 'SERVICE_CONTROL_POLICY';
export const RCP = 'RESOURCE_CONTROL_POLICY';
export const ENABLED_TYPES = [SCP, RCP] as const;

// Ids as Organizations shapes them: lower-case letters and digits after a kind prefix.
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(random: Random, length: number): string {
  const bytes = random(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[(bytes[i] ?? 0) % ALNUM.length];
  return out;
}

const PATTERNS: Record<string, RegExp> = {
  PolicyId: /^p-[0-9a-zA-Z_]{8,128}$/,
  TargetId: /^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  ParentId: /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  SourceParentId: /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  DestinationParentId: /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  ChildId: /^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  OrganizationalUnitId: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  AccountId: /^\d{12}$/,
};

/** A string member of the JSON input; a missing required one or a malformed id is InvalidInputException. */
export function str(input: Record<string, unknown>, name: string): string | undefined;
export function str(input: Record<string, unknown>, name: string, required: true): string;
export function str(input: Record<string, unknown>, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required) throw orgErrors.invalidInput('INPUT_REQUIRED', `You must specify a value for ${name}.`);
    return undefined;
  }
  if (typeof v !== 'string') {
    throw orgErrors.invalidInput('INVALID_INPUT', `You provided a value that is not valid for ${name}.`);
  }
  const pattern = PATTERNS[name];
  if (pattern && !pattern.test(v)) {
    throw orgErrors.invalidInput(
      'INVALID_PATTERN',
      'You provided a value that does not match the required pattern.',
    );
  }
  return v;
}

/** NextToken/MaxResults paging; the token is the base64 of the next offset. */
export function page<T>(
  items: readonly T[],
  input: Record<string, unknown>,
): { items: T[]; NextToken?: string } {
  const max = typeof input.MaxResults === 'number' ? Math.max(1, Math.min(20, input.MaxResults)) : 20;
  const token = typeof input.NextToken === 'string' ? input.NextToken : undefined;
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) {
    throw orgErrors.invalidInput('INVALID_NEXT_TOKEN', 'You specified an invalid value for nextToken.');
  }
  const slice = items.slice(start, start + max);
  const next = start + slice.length;
  return next < items.length
    ? { items: slice, NextToken: Buffer.from(String(next)).toString('base64') }
    : { items: slice };
}

/**
 * Member accounts cannot manage the organization: AWS answers AccessDeniedException. The administrator key
 * pair stands for the management account's administrator; role sessions of the member account can only read
 * DescribeOrganization.
 */
export async function authorizeOrg(
  deps: OrgDeps,
  ctx: AwsContext,
  operation: string,
  resource: string,
): Promise<void> {
  await ctx.authorize(`organizations:${operation}`, resource);
  if (ctx.caller.kind === 'admin') return;
  if (ctx.caller.accountId === deps.org().managementAccount) return;
  if (operation === 'DescribeOrganization') return;
  throw orgErrors.accessDenied();
}
