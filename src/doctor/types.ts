/**
 * The doctor's data model: one normalised Snapshot of everything IRSA depends on (AWS side and Kubernetes side),
 * built by a loader (export folder, running instance), and the checks' results. Checks only read a Snapshot.
 */

/** A Kubernetes object kept as the API returned it; the doctor reads the fields it needs defensively. */
export type KubeObj = Record<string, unknown> & {
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string> | null;
    annotations?: Record<string, string> | null;
    managedFields?: { manager?: string; operation?: string; time?: string; fieldsV1?: unknown }[] | null;
    [k: string]: unknown;
  };
};

export interface ClusterRecord {
  name: string;
  arn?: string;
  accountId?: string;
  region?: string;
  /** `cluster.identity.oidc.issuer`, with its scheme (https://oidc.eks.REGION.amazonaws.com/id/ID). */
  issuer: string;
  /** Kubernetes minor version, e.g. "1.30". */
  version?: string;
}

export interface OidcProviderRecord {
  arn: string;
  accountId: string;
  /** IAM's Url: host/path without scheme (as GetOpenIDConnectProvider returns it). */
  url: string;
  /** undefined when only the ARN is known (list without get). */
  clientIds?: string[];
  thumbprints?: string[];
}

/** A policy document as normalised JSON text (pretty-printed when it came as an object, so lines mean something). */
export interface PolicyDoc {
  name: string;
  arn?: string;
  text: string;
}

export interface RoleRecord {
  arn: string;
  name: string;
  accountId: string;
  trustPolicy?: string;
  inlinePolicies: PolicyDoc[];
  attachedPolicyArns: string[];
  boundaryArn?: string;
  instanceProfileArns: string[];
}

export interface OrgPolicyRecord {
  id: string;
  arn?: string;
  name: string;
  type: 'scp' | 'rcp';
  text: string;
}

export interface NodeRecord {
  /** The Kubernetes node name (EC2 PrivateDnsName on EKS). */
  name: string;
  instanceId?: string;
  metadataOptions?: {
    HttpTokens?: 'optional' | 'required';
    HttpPutResponseHopLimit?: number;
    HttpEndpoint?: 'enabled' | 'disabled';
  };
  instanceProfileArn?: string;
}

/** The projected token file of one pod, with the file's owner and mode when known (`stat -c '%a %u %g'`). */
export interface PodToken {
  namespace: string;
  pod: string;
  token: string;
  file?: { mode: number; uid: number; gid: number };
}

export interface WebhookState {
  /** MutatingWebhookConfigurations, when exported; undefined means unknown. */
  configurations?: KubeObj[];
  /** Known liveness (live mode): false when the webhook does not answer. */
  healthy?: boolean;
  detail?: string;
}

export interface Snapshot {
  /** Where it came from, for evidence lines ("exports in ./dump", "irsakit at http://…"). */
  source: string;
  clusters: ClusterRecord[];
  oidcProviders: OidcProviderRecord[];
  /** Accounts whose IAM was exported (roles can only be "missing" in these). */
  iamAccounts: string[];
  roles: RoleRecord[];
  managedPolicies: PolicyDoc[];
  /** Levels root → OUs → account; an empty list means none known. */
  scps: PolicyDoc[][];
  rcps: PolicyDoc[][];
  managementAccountId?: string;
  /** Bucket name → bucket policy text. */
  bucketPolicies: Record<string, string>;
  serviceAccounts: KubeObj[];
  pods: KubeObj[];
  nodes: NodeRecord[];
  tokens: PodToken[];
  /** Issuer URL → JWKS keys, from a saved JWKS or fetched live. */
  jwks: Record<string, { keys: Record<string, unknown>[] }>;
  webhook: WebhookState;
  /** Files or calls that could not be read, reported once (never fatal). */
  warnings: string[];
}

export type CheckId =
  | 'oidc-provider'
  | 'service-account'
  | 'pod-mutation'
  | 'trust-policy'
  | 'token'
  | 'permissions'
  | 'imds'
  | 'credential-precedence';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface Fix {
  /** One sentence. */
  summary: string;
  command?: string;
  /** A unified-style diff of a policy document (`-`/`+` lines). */
  policyDiff?: string;
}

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  evidence: string[];
  fix?: Fix;
  /** Machine-readable detail for --json consumers (failing condition, decision, …). */
  data?: Record<string, unknown>;
}

export interface Subject {
  namespace: string;
  pod?: string;
  serviceAccount?: string;
  action?: string;
  resource?: string;
  context?: Record<string, string | string[]>;
}

export interface DoctorReport {
  subject: {
    namespace: string;
    pod?: string;
    serviceAccount: string;
    roleArn?: string;
    cluster?: string;
  };
  source: string;
  checks: CheckResult[];
  ok: boolean;
}
