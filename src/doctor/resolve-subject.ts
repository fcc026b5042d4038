import { IrsakitError } from '../errors/index.js';
import { parseRoleArn, type RoleArn } from './arn.js';
import {
  AUDIENCE_ANNOTATION,
  annotations,
  DEFAULT_AUDIENCE,
  podServiceAccount,
  ROLE_ARN_ANNOTATION,
} from './kube.js';
import type { ClusterRecord, KubeObj, PodToken, RoleRecord, Snapshot, Subject } from './types.js';

/** The claims the doctor reads from a projected token. */
export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  [k: string]: unknown;
}

/** Everything the checks need about one subject, found once. */
export interface Resolved {
  namespace: string;
  podName?: string;
  pod?: KubeObj;
  saName: string;
  sa?: KubeObj;
  cluster?: ClusterRecord;
  /** The annotation's value, as written. */
  roleArnValue?: string;
  roleArn?: RoleArn;
  role?: RoleRecord;
  /** The audience the ServiceAccount's tokens carry (annotation, else sts.amazonaws.com). */
  audience: string;
  token?: PodToken;
  claims: TokenClaims;
  /** Where `claims` came from. */
  claimsSource: 'pod token file' | 'minted token' | 'claims a token for this ServiceAccount carries';
}

/** Decodes a JWT's payload without verifying it (verification is the token check's job). */
export function decodeClaims(token: string): TokenClaims | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

export const audList = (aud: unknown): string[] =>
  Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : [];

export interface ResolveOptions {
  /** Mints a token for the ServiceAccount (live mode); without it claims are synthesised from the cluster. */
  mintToken?: (namespace: string, serviceAccount: string, audience: string) => Promise<string>;
}

/** Finds the pod, its ServiceAccount, the cluster, the annotated role and the token claims for a subject. */
export async function resolveSubject(
  snap: Snapshot,
  subject: Subject,
  opts: ResolveOptions = {},
): Promise<Resolved> {
  const ns = subject.namespace;
  let pod: KubeObj | undefined;
  if (subject.pod) {
    pod = snap.pods.find(
      (p) => p.metadata?.name === subject.pod && (p.metadata?.namespace ?? 'default') === ns,
    );
    if (!pod) {
      const elsewhere = snap.pods
        .filter((p) => p.metadata?.name === subject.pod)
        .map((p) => p.metadata?.namespace);
      throw new IrsakitError(
        'ERR_NOT_FOUND',
        `pod ${ns}/${subject.pod} is not in ${snap.source}${elsewhere.length ? ` (found in namespace ${elsewhere.join(', ')}: pass -n)` : ''}`,
      );
    }
  }
  const saName = pod ? podServiceAccount(pod) : subject.serviceAccount;
  if (!saName) throw new IrsakitError('ERR_USAGE', 'give --pod NAME or --service-account NAME');
  const sa = snap.serviceAccounts.find(
    (x) => x.metadata?.name === saName && (x.metadata?.namespace ?? 'default') === ns,
  );
  const ann = annotations(sa);
  const roleArnValue = ann[ROLE_ARN_ANNOTATION]?.trim();
  const parsed = roleArnValue ? parseRoleArn(roleArnValue) : undefined;
  const roleArn = parsed?.ok ? parsed.arn : undefined;
  const role = roleArn
    ? (snap.roles.find((r) => r.arn === roleArnValue) ??
      snap.roles.find((r) => r.accountId === roleArn.accountId && r.name === roleArn.name))
    : undefined;
  const audience = ann[AUDIENCE_ANNOTATION]?.trim() || DEFAULT_AUDIENCE;
  const token = pod ? snap.tokens.find((t) => t.namespace === ns && t.pod === subject.pod) : undefined;
  const fromToken = token ? decodeClaims(token.token) : undefined;
  const cluster =
    (fromToken?.iss &&
      snap.clusters.find(
        (c) => c.issuer.replace(/\/+$/, '') === String(fromToken.iss).replace(/\/+$/, ''),
      )) ||
    snap.clusters[0];

  let claims: TokenClaims;
  let claimsSource: Resolved['claimsSource'];
  if (fromToken) {
    claims = fromToken;
    claimsSource = 'pod token file';
  } else if (opts.mintToken) {
    claims = decodeClaims(await opts.mintToken(ns, saName, audience)) ?? {};
    claimsSource = 'minted token';
  } else {
    claims = {
      ...(cluster ? { iss: cluster.issuer } : {}),
      sub: `system:serviceaccount:${ns}:${saName}`,
      aud: [audience],
    };
    claimsSource = 'claims a token for this ServiceAccount carries';
  }
  return {
    namespace: ns,
    ...(subject.pod ? { podName: subject.pod } : {}),
    ...(pod ? { pod } : {}),
    saName,
    ...(sa ? { sa } : {}),
    ...(cluster ? { cluster } : {}),
    ...(roleArnValue ? { roleArnValue } : {}),
    ...(roleArn ? { roleArn } : {}),
    ...(role ? { role } : {}),
    audience,
    ...(token ? { token } : {}),
    claims,
    claimsSource,
  };
}
