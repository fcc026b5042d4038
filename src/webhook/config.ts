import type { PodIdentityConfig, WebhookConfig } from './types.js';

/** kube-apiserver refuses projected tokens shorter than 10 minutes; the reference clamps to the same floor. */
export const MIN_TOKEN_EXPIRATION = 600;
export const DEFAULT_TOKEN_EXPIRATION = 86_400;

export const DEFAULT_POD_IDENTITY: Omit<PodIdentityConfig, 'associations'> = {
  audience: 'pods.eks.amazonaws.com',
  mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',
  volumeName: 'eks-pod-identity-token',
  tokenPath: 'eks-pod-identity-token',
  fullUri: 'http://169.254.170.23/v1/credentials',
};

export interface WebhookConfigInput {
  annotationPrefix?: string;
  audience?: string;
  mountPath?: string;
  tokenExpiration?: number;
  region?: string;
  stsRegionalEndpoints?: boolean;
  stsEndpoint?: string;
  podIdentity?: Partial<Omit<PodIdentityConfig, 'associations'>> & {
    associations: Iterable<string>;
  };
}

/** Fills the reference's flag defaults and applies its startup clamp (token expiration at least 600 s). */
export function resolveWebhookConfig(input: WebhookConfigInput = {}): WebhookConfig {
  const exp = input.tokenExpiration ?? DEFAULT_TOKEN_EXPIRATION;
  const pi = input.podIdentity;
  return Object.freeze({
    annotationPrefix: input.annotationPrefix ?? 'eks.amazonaws.com',
    audience: input.audience ?? 'sts.amazonaws.com',
    mountPath: input.mountPath ?? '/var/run/secrets/eks.amazonaws.com/serviceaccount',
    tokenExpiration: Math.max(MIN_TOKEN_EXPIRATION, Math.trunc(exp)),
    region: input.region ?? '',
    stsRegionalEndpoints: input.stsRegionalEndpoints ?? false,
    stsEndpoint: input.stsEndpoint ?? '',
    podIdentity: pi
      ? Object.freeze({
          ...DEFAULT_POD_IDENTITY,
          ...Object.fromEntries(Object.entries(pi).filter(([, v]) => v !== undefined)),
          associations: new Set(pi.associations),
        })
      : undefined,
  });
}
