/** The claims kube-apiserver puts in a projected service-account token (bound when `pod` is set). */
export interface ProjectedTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string[];
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number;
  readonly jti: string;
  readonly 'kubernetes.io': {
    readonly namespace: string;
    readonly serviceaccount: { readonly name: string; readonly uid: string };
    readonly pod?: { readonly name: string; readonly uid: string };
    readonly node?: { readonly name: string; readonly uid: string };
    readonly warnafter?: number;
  };
}

export interface MintRequest {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The ServiceAccount's uid; derived deterministically from namespace/name when the object has none. */
  readonly serviceAccountUid?: string;
  /** Defaults to the issuer itself, as kube-apiserver's API audiences do; IRSA passes sts.amazonaws.com. */
  readonly audiences?: readonly string[];
  readonly expirationSeconds?: number;
  readonly pod?: { readonly name: string; readonly uid: string };
  readonly node?: { readonly name: string; readonly uid: string };
}

export interface MintedToken {
  readonly token: string;
  readonly claims: ProjectedTokenClaims;
  readonly kid: string;
  /** Expiry in ms since the epoch. */
  readonly expiresAt: number;
}

/** What the AWS side (EKS DescribeCluster, doctor, demo) needs to know about a cluster. */
export interface ClusterInfo {
  readonly name: string;
  readonly arn: string;
  /** https://127.0.0.1:ISSUERPORT/id/<32 uppercase hex> */
  readonly issuerUrl: string;
  /** PEM of the local CA that signs the issuer's HTTPS certificate. */
  readonly caCertificatePem: string;
  /** SHA-1 of the top certificate of the issuer's chain, as IAM computes OIDC thumbprints. */
  readonly thumbprint: string;
  readonly createdAt: number;
  readonly version: string;
}

export interface JsonWebKey {
  readonly kty: string;
  readonly kid: string;
  readonly use: 'sig';
  readonly alg: 'RS256';
  readonly n: string;
  readonly e: string;
}
