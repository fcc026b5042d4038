import { roleArnFromSession } from './request-view.js';
import type { RequestPrincipal } from './types.js';

/** How a Principal element named the caller; decides which implicit denies still count (EVAL, table 1.4). */
export const PM_NONE = 0;
/** The caller itself: its session ARN, user ARN, `*`, the service, the federated provider. */
export const PM_DIRECT = 1;
/** The role of the calling session: capped by the boundary and session policies. */
export const PM_ROLE = 2;
/** The caller's account: only delegates to the account's own identity policies. */
export const PM_ACCOUNT = 3;
export type PrincipalMatch = 0 | 1 | 2 | 3;

/** Principal / NotPrincipal (reference_policies_elements_principal.html). */
export interface PrincipalMatcher {
  readonly negated: boolean;
  readonly any: boolean;
  readonly accounts: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly exact: ReadonlySet<string>;
  readonly federated: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  readonly canonical: ReadonlySet<string>;
  readonly uniqueIds: ReadonlySet<string>;
  /** Every value as written, "AWS:arn…", for explanations. */
  readonly display: readonly string[];
}

export const PRINCIPAL_TYPES = ['AWS', 'Federated', 'Service', 'CanonicalUser'] as const;

const ACCOUNT_ID = /^\d{12}$/;
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const IAM_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(user|role|assumed-role|federated-user)\/[^*?]+$/;
const UNIQUE_ID = /^A[A-Z0-9]{15,}$/;

/**
 * Checks one principal value; returns false for a value IAM rejects ("Invalid principal in policy"):
 * partial wildcards, `"Service": "*"`, malformed ARNs.
 */
export function validPrincipal(type: string, value: string): boolean {
  if (value === '*') return type === 'AWS';
  if (value.includes('*') || value.includes('?')) return false;
  switch (type) {
    case 'AWS':
      return ACCOUNT_ID.test(value) || ROOT.test(value) || IAM_ARN.test(value) || UNIQUE_ID.test(value);
    case 'Federated':
      return (
        /^arn:aws[a-z-]*:iam::\d{12}:(oidc-provider|saml-provider)\/.+$/.test(value) ||
        /^[a-z0-9.-]+\.[a-z]+$/i.test(value)
      );
    case 'Service':
      return /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(value) || /^[a-z0-9.-]+\.amazon\.com$/.test(value);
    case 'CanonicalUser':
      return value.length > 0;
    default:
      return false;
  }
}

export function compilePrincipal(
  value: '*' | Record<string, readonly string[]>,
  negated: boolean,
): PrincipalMatcher {
  const accounts = new Set<string>();
  const roles = new Set<string>();
  const exact = new Set<string>();
  const federated = new Set<string>();
  const services = new Set<string>();
  const canonical = new Set<string>();
  const uniqueIds = new Set<string>();
  const display: string[] = [];
  let any = value === '*';
  if (value === '*') display.push('*');
  else {
    for (const [type, list] of Object.entries(value)) {
      for (const v of list) {
        display.push(`${type}:${v}`);
        if (type === 'AWS') {
          if (v === '*') any = true;
          else if (ACCOUNT_ID.test(v)) accounts.add(v);
          else if (ROOT.test(v)) accounts.add(ROOT.exec(v)![1]!);
          else if (UNIQUE_ID.test(v)) uniqueIds.add(v);
          else {
            exact.add(v);
            if (/^arn:[^:]+:iam::\d{12}:role\//.test(v)) roles.add(v);
          }
        } else if (type === 'Federated') federated.add(v);
        else if (type === 'Service') services.add(v);
        else if (type === 'CanonicalUser') canonical.add(v);
      }
    }
  }
  return { negated, any, accounts, roles, exact, federated, services, canonical, uniqueIds, display };
}

/** How the element names the principal; NotPrincipal is resolved by the caller. */
export function matchPrincipal(m: PrincipalMatcher, p: RequestPrincipal): PrincipalMatch {
  if (m.any) return PM_DIRECT;
  switch (p.type) {
    case 'Anonymous':
      return PM_NONE;
    case 'WebIdentity':
      return m.federated.has(p.arn) ? PM_DIRECT : PM_NONE;
    case 'Service':
      return m.services.has(p.arn) ? PM_DIRECT : PM_NONE;
  }
  if (m.exact.has(p.arn)) return PM_DIRECT;
  if (p.userId !== undefined && m.uniqueIds.size > 0) {
    // A trust or resource policy that named a since-deleted entity shows its unique ID (PRINCIPAL).
    const id = p.userId.includes(':') ? p.userId.slice(0, p.userId.indexOf(':')) : p.userId;
    if (m.uniqueIds.has(id)) return p.type === 'AssumedRole' ? PM_ROLE : PM_DIRECT;
  }
  if (p.type === 'AssumedRole' && m.roles.size > 0) {
    const role = p.roleArn ?? roleArnFromSession(p.arn);
    if (role !== undefined && m.roles.has(role)) return PM_ROLE;
  }
  if (m.canonical.size > 0 && m.canonical.has(p.userId ?? p.arn)) return PM_DIRECT;
  if (m.accounts.has(p.accountId)) return PM_ACCOUNT;
  return PM_NONE;
}
