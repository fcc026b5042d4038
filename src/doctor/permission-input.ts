import type { DecidingLayer, EvaluationInput, NamedPolicy } from '../policy/index.js';
import { compile } from './compile.js';
import type { RoleRecord, Snapshot } from './types.js';

export interface LayerInfo {
  layer: DecidingLayer;
  /** Policy names evaluated in this layer (per level for SCPs/RCPs). */
  policies: string[];
  /** Why the layer does not apply, when it does not. */
  note?: string;
}

export interface PermissionInput {
  input: EvaluationInput;
  principalArn: string;
  /** Every policy that took part, for rendering. */
  policies: NamedPolicy[];
  layers: LayerInfo[];
  /** Policies that are referenced but could not be evaluated. */
  problems: string[];
}

/** The bucket of an S3 ARN (arn:aws:s3:::bucket or arn:aws:s3:::bucket/key). */
export function s3Bucket(resource: string): string | undefined {
  const m = /^arn:[^:]+:s3:::([^/]+)/.exec(resource);
  return m?.[1];
}

/**
 * Everything AWS evaluates for a request made with the role's session (IAM UG, policy evaluation logic):
 * the account's SCPs and RCPs, the resource's policy when exported (S3 bucket policies), the role's inline and
 * attached policies, its permissions boundary.
 */
export function permissionInput(
  snap: Snapshot,
  role: RoleRecord,
  req: {
    action: string;
    resource: string;
    context?: Record<string, string | string[]>;
    sessionName?: string;
  },
): PermissionInput {
  const problems: string[] = [];
  const policies: NamedPolicy[] = [];
  const take = (
    text: string,
    kind: Parameters<typeof compile>[1],
    name: string,
    arn?: string,
  ): NamedPolicy | undefined => {
    const c = compile(text, kind, name, arn);
    if (!c.ok) {
      problems.push(c.problem);
      return undefined;
    }
    policies.push(c.named);
    return c.named;
  };
  const partition = role.arn.split(':')[1] ?? 'aws';
  const session = req.sessionName ?? 'irsakit-doctor';
  const principalArn = `arn:${partition}:sts::${role.accountId}:assumed-role/${role.name}/${session}`;

  const identity: NamedPolicy[] = [];
  for (const p of role.inlinePolicies) {
    const np = take(p.text, 'identity', `${role.name}/${p.name} (inline)`);
    if (np) identity.push(np);
  }
  for (const arn of role.attachedPolicyArns) {
    const mp = snap.managedPolicies.find((x) => x.arn === arn);
    if (!mp) {
      problems.push(`attached policy ${arn} is not in the exports (its statements are not evaluated)`);
      continue;
    }
    const np = take(mp.text, 'identity', mp.name, arn);
    if (np) identity.push(np);
  }
  let boundary: NamedPolicy | null = null;
  if (role.boundaryArn) {
    const mp = snap.managedPolicies.find((x) => x.arn === role.boundaryArn);
    if (!mp) problems.push(`permissions boundary ${role.boundaryArn} is not in the exports (not evaluated)`);
    else boundary = take(mp.text, 'boundary', `${mp.name} (boundary)`, mp.arn) ?? null;
  }
  const level = (docs: { name: string; arn?: string; text: string }[], kind: 'scp' | 'rcp') =>
    docs.flatMap((d) => {
      const np = take(d.text, kind, `${d.name} (${kind.toUpperCase()})`, d.arn);
      return np ? [np] : [];
    });
  const scps = snap.scps.map((l) => level(l, 'scp'));
  const rcps = snap.rcps.map((l) => level(l, 'rcp'));
  const bucket = s3Bucket(req.resource);
  const bp = bucket ? snap.bucketPolicies[bucket] : undefined;
  const resourcePolicy =
    bp !== undefined ? (take(bp, 'resource', `bucket policy of ${bucket}`) ?? null) : null;
  const isManagementAccount = snap.managementAccountId === role.accountId;

  const layers: LayerInfo[] = [
    {
      layer: 'rcp',
      policies: rcps.flat().map((p) => p.name),
      ...(isManagementAccount
        ? { note: 'not applied in the management account' }
        : !rcps.length
          ? { note: 'none exported' }
          : {}),
    },
    {
      layer: 'scp',
      policies: scps.flat().map((p) => p.name),
      ...(isManagementAccount
        ? { note: 'not applied in the management account' }
        : !scps.length
          ? { note: 'none exported' }
          : {}),
    },
    {
      layer: 'resource',
      policies: resourcePolicy ? [resourcePolicy.name] : [],
      ...(resourcePolicy
        ? {}
        : {
            note: bucket
              ? `no bucket policy exported for ${bucket}`
              : 'no resource policy known for this resource',
          }),
    },
    {
      layer: 'identity',
      policies: identity.map((p) => p.name),
      ...(identity.length ? {} : { note: 'the role has no policies' }),
    },
    {
      layer: 'boundary',
      policies: boundary ? [boundary.name] : [],
      ...(boundary ? {} : { note: 'the role has no permissions boundary' }),
    },
    {
      layer: 'session',
      policies: [],
      note: 'AssumeRoleWithWebIdentity from the SDK passes no session policy',
    },
  ];
  return {
    input: {
      request: {
        principal: { arn: principalArn, accountId: role.accountId, type: 'AssumedRole', roleArn: role.arn },
        action: req.action,
        resource: req.resource,
        // SDKs only speak HTTPS to AWS, so policies that deny insecure transport see a secure request.
        context: { 'aws:SecureTransport': 'true', ...(req.context ?? {}) },
      },
      identityPolicies: identity,
      permissionsBoundary: boundary,
      scps,
      rcps,
      resourcePolicy,
      isManagementAccount,
    },
    principalArn,
    policies,
    layers,
    problems,
  };
}
