import type { PolicyKind, PolicyLimitKind } from './types.js';

/**
 * Size quotas, in characters. IAM quotas exclude whitespace (reference_iam-quotas.html: "IAM doesn't count
 * white space"); SCPs and RCPs count every character (Organizations quotas: 5,120 characters, whitespace
 * included); S3 bucket policies are limited to 20 KB.
 * - inline-role: aggregate inline policies of a role, 10,240
 * - inline-user: aggregate inline policies of a user, 2,048
 * - managed: a managed policy (and so a permissions boundary), 6,144
 * - trust: a role trust policy, 2,048 by default (quota L-C07B4B0D, adjustable)
 * - session: AssumeRole* `Policy` parameter, 2,048 (STS API, sessionPolicyDocumentType)
 */
const LIMITS: Readonly<Record<PolicyLimitKind, number>> = {
  'inline-role': 10_240,
  'inline-user': 2_048,
  managed: 6_144,
  trust: 2_048,
  session: 2_048,
  scp: 5_120,
  rcp: 5_120,
  bucket: 20_480,
};

export function policyLimit(kind: PolicyLimitKind): number {
  return LIMITS[kind];
}

/** Whether whitespace outside strings is left out of the count for this quota. */
export function limitIgnoresWhitespace(kind: PolicyLimitKind): boolean {
  return kind !== 'scp' && kind !== 'rcp' && kind !== 'bucket';
}

/** The quota that applies when the caller did not name one: only kinds with a single possible quota. */
export function defaultLimitKind(kind: PolicyKind): PolicyLimitKind | undefined {
  switch (kind) {
    case 'trust':
      return 'trust';
    case 'session':
      return 'session';
    case 'scp':
      return 'scp';
    case 'rcp':
      return 'rcp';
    case 'boundary':
      return 'managed';
    default:
      return undefined;
  }
}

/** AWS's message when a document is over its quota. */
export function limitMessage(kind: PolicyLimitKind, name: string): string {
  const n = LIMITS[kind];
  switch (kind) {
    case 'inline-role':
      return `Maximum policy size of ${n} bytes exceeded for role ${name}`;
    case 'inline-user':
      return `Maximum policy size of ${n} bytes exceeded for user ${name}`;
    case 'managed':
      return `Cannot exceed quota for PolicySize: ${n}`;
    case 'trust':
      return `Cannot exceed quota for ACLSizePerRole: ${n}`;
    case 'session':
      return `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${n}`;
    case 'scp':
    case 'rcp':
      return 'You have exceeded the maximum policy size.';
    case 'bucket':
      return 'Policies must be less than 20 KB in size.';
  }
}
