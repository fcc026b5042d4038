import { AwsError, type IssuedCredentials, type SessionPolicyText } from '../aws/index.js';
import { parsePolicy } from '../policy/index.js';
import type { StsIam } from './sts-deps.js';

/**
 * The packed-policy budget. AWS packs the inline policy, the policy ARNs and the session tags into a binary
 * form whose limit it does not publish; irsakit counts characters (whitespace outside strings ignored) against
 * 2048 and reports PackedPolicySize as the percentage used, deterministic and documented.
 */
export const PACKED_BUDGET = 2048;

export interface SessionPolicyResult {
  readonly policies: SessionPolicyText[];
  /** Percent of the packed budget, present when a policy or tags were passed. */
  readonly packedPolicySize?: number;
}

function compactLength(text: string): number {
  try {
    return JSON.stringify(JSON.parse(text)).length;
  } catch {
    return text.length;
  }
}

/** Parses the inline Policy, resolves PolicyArns, and checks the packed size. Throws AwsError. */
export async function sessionPolicies(
  iam: StsIam,
  policy: string | undefined,
  policyArns: readonly string[],
  tags: Readonly<Record<string, string>>,
): Promise<SessionPolicyResult> {
  const policies: SessionPolicyText[] = [];
  if (policy !== undefined) {
    const parsed = parsePolicy(policy, { kind: 'session', limit: 'session', name: 'inline session policy' });
    if (!parsed.ok)
      throw new AwsError(
        parsed.error.code === 'LimitExceeded' ? 'PackedPolicyTooLarge' : 'MalformedPolicyDocument',
        parsed.error.message,
        400,
      );
    policies.push({ name: 'inline session policy', text: policy });
  }
  for (const arn of policyArns) {
    const doc = iam.getManagedPolicyDocument ? await iam.getManagedPolicyDocument(arn) : undefined;
    // irsakit's wording: AWS's message for a missing managed session policy is undocumented.
    if (!doc)
      throw new AwsError(
        'MalformedPolicyDocument',
        `Policy ${arn} does not exist or is not attachable.`,
        400,
      );
    policies.push({ name: doc.name, arn: doc.arn, text: doc.text });
  }
  const tagChars = Object.entries(tags).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (policies.length === 0 && tagChars === 0) return { policies };
  const used =
    (policy !== undefined ? compactLength(policy) : 0) +
    policyArns.reduce((n, a) => n + a.length, 0) +
    tagChars;
  const packedPolicySize = Math.ceil((used / PACKED_BUDGET) * 100);
  if (packedPolicySize > 100) {
    throw new AwsError(
      'PackedPolicyTooLarge',
      `Packed policy consumes ${packedPolicySize}% of allotted space, please use smaller policy.`,
      400,
    );
  }
  return { policies, packedPolicySize };
}

/** The Credentials and AssumedRoleUser members of every AssumeRole* response. */
export function credentialsResult(issued: IssuedCredentials): Record<string, unknown> {
  return {
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: issued.expiration,
    },
    AssumedRoleUser: { AssumedRoleId: issued.caller.userId, Arn: issued.caller.arn },
  };
}
