import type { Caller } from '../aws/index.js';
import type { Decision, NamedPolicy } from '../policy/index.js';
import { accessDeniedMessage, evaluate, parsePolicy } from '../policy/index.js';
import type { BucketRow } from './metadata.js';
import { s3Errors } from './s3-errors.js';
import type { PoliciesFor, PrincipalPolicies } from './types.js';

export type S3Context = Record<string, string | string[]>;

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** Parses and validates a bucket policy as the engine's resource policy (S3 quota: 20 KB). */
export function compileBucketPolicy(bucket: string, text: string): NamedPolicy {
  const r = parsePolicy(text, { kind: 'resource', limit: 'bucket', name: `${bucket} bucket policy` });
  if (!r.ok) {
    // S3 answers MalformedPolicy with the validator's message, and "Policy has invalid resource" etc.
    throw s3Errors.malformedPolicy(r.error.message);
  }
  return { name: 'bucket-policy', arn: bucketArn(bucket), policy: r.policy };
}

/**
 * Authorizes S3 requests with every layer (SCPs, RCPs, bucket policy, identity policies, boundary, session
 * policies). One instance per request: the caller's policies are loaded once, lazily.
 */
export class S3Authorizer {
  private policies: Promise<PrincipalPolicies> | undefined;

  constructor(
    private readonly caller: Caller,
    private readonly policiesFor: PoliciesFor,
    private readonly bucketPolicy: (bucket: BucketRow) => NamedPolicy | null,
    private readonly baseContext: S3Context,
  ) {}

  private loadPolicies(): Promise<PrincipalPolicies> {
    this.policies ??= Promise.resolve(
      this.caller.kind === 'anonymous'
        ? { identityPolicies: [], permissionsBoundary: null, scps: [], rcps: [], isManagementAccount: false }
        : this.policiesFor(this.caller),
    );
    return this.policies;
  }

  /** The decision, as data (null for the administrator, who is always allowed). */
  async decide(
    action: string,
    resource: string,
    bucket: BucketRow | null,
    extra: S3Context = {},
  ): Promise<Decision | null> {
    if (this.caller.kind === 'admin') return null;
    const p = await this.loadPolicies();
    const resourceAccount = bucket?.owner ?? this.caller.accountId;
    const context: S3Context = { ...this.baseContext, ...extra };
    context['aws:ResourceAccount'] = resourceAccount;
    context['s3:ResourceAccount'] = resourceAccount;
    return evaluate({
      request: { principal: this.caller.principal, action, resource, resourceAccount, context },
      identityPolicies: p.identityPolicies,
      permissionsBoundary: p.permissionsBoundary,
      sessionPolicies: this.caller.session ? [...this.caller.session.sessionPolicies] : [],
      scps: p.scps,
      rcps: p.rcps,
      resourcePolicy: bucket ? this.bucketPolicy(bucket) : null,
      isManagementAccount: p.isManagementAccount,
    });
  }

  async allowed(
    action: string,
    resource: string,
    bucket: BucketRow | null,
    extra: S3Context = {},
  ): Promise<boolean> {
    const d = await this.decide(action, resource, bucket, extra);
    return d === null || d.decision === 'Allow';
  }

  /** Throws AccessDenied with AWS's sentence naming the policy type that denied (plain "Access Denied" for anonymous). */
  async authorize(
    action: string,
    resource: string,
    bucket: BucketRow | null,
    extra: S3Context = {},
  ): Promise<void> {
    const d = await this.decide(action, resource, bucket, extra);
    if (d === null || d.decision === 'Allow') return;
    if (this.caller.kind === 'anonymous') throw s3Errors.accessDenied();
    throw s3Errors.accessDenied(accessDeniedMessage(this.caller.arn, action, resource, d));
  }
}
