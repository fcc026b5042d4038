/**
 * The slice of the Kubernetes object model the webhook reads. Every object stays an open record: fields the
 * webhook does not know are carried through untouched, which is the point of emitting targeted patch
 * operations instead of re-encoding whole containers (reference issue #208: native sidecars were lost).
 */

export interface EnvVar {
  name: string;
  value?: string;
  [field: string]: unknown;
}

export interface VolumeMount {
  name: string;
  mountPath?: string;
  readOnly?: boolean;
  [field: string]: unknown;
}

export interface Container {
  name: string;
  env?: EnvVar[] | null;
  volumeMounts?: VolumeMount[] | null;
  [field: string]: unknown;
}

export interface Volume {
  name: string;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  [field: string]: unknown;
}

export interface PodSpec {
  serviceAccountName?: string;
  nodeSelector?: Record<string, string> | null;
  containers?: Container[] | null;
  initContainers?: Container[] | null;
  volumes?: Volume[] | null;
  [field: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  [field: string]: unknown;
}

export interface ServiceAccount {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { name: string; namespace?: string };
  [field: string]: unknown;
}

/** RFC 6902. The webhook only ever emits `add`. */
export interface JsonPatchOp {
  op: 'add';
  path: string;
  value: unknown;
}

/** EKS Pod Identity ("container credentials") mode, as the reference's --container-credentials-* flags. */
export interface PodIdentityConfig {
  /** `namespace/serviceAccount` keys of the associations (exact match, no wildcard, like the reference). */
  readonly associations: ReadonlySet<string>;
  readonly audience: string;
  readonly mountPath: string;
  readonly volumeName: string;
  readonly tokenPath: string;
  readonly fullUri: string;
}

export interface WebhookConfig {
  /** Annotation prefix for the SA and pod annotations (`<prefix>/role-arn`, ...). */
  readonly annotationPrefix: string;
  /** Audience when the SA has no audience annotation. */
  readonly audience: string;
  /** IRSA token mount path (the reference's --token-mount-path). */
  readonly mountPath: string;
  /** Default token lifetime in seconds (already raised to at least 600 by resolveWebhookConfig). */
  readonly tokenExpiration: number;
  /** Region injected as AWS_DEFAULT_REGION and AWS_REGION; empty means none. */
  readonly region: string;
  /** Default for `<prefix>/sts-regional-endpoints`. */
  readonly stsRegionalEndpoints: boolean;
  /**
   * irsakit extension, off by default: injected as AWS_ENDPOINT_URL_STS (honoured by current AWS SDKs and the
   * CLI) so pods in a real cluster reach irsakit's STS instead of AWS's.
   */
  readonly stsEndpoint: string;
  readonly podIdentity: PodIdentityConfig | undefined;
}

export type MutationMode = 'irsa' | 'pod-identity';

export type SkipReason =
  | 'no-service-account'
  | 'no-role-arn'
  | 'already-configured'
  | 'not-a-pod'
  | 'not-create'
  | 'no-spec';

/** The decision of mutate(), as data: a patch to apply, or nothing to do; always with its reason. */
export type MutationResult =
  | {
      readonly decision: 'patch';
      readonly mode: MutationMode;
      readonly patch: JsonPatchOp[];
      readonly reason: string;
      /** Problems the webhook noticed but left alone (returned to kubectl as admission warnings). */
      readonly warnings: string[];
    }
  | {
      readonly decision: 'none';
      readonly mode?: MutationMode;
      readonly reason: SkipReason;
      readonly warnings: string[];
    };

/** Where the webhook finds ServiceAccounts: the local cluster store, a file, or the Kubernetes API. */
export interface ServiceAccountSource {
  get(namespace: string, name: string): Promise<ServiceAccount | undefined>;
}
