/** The EC2 instance metadata options of the node (as ModifyInstanceMetadataOptions names them). */
export interface MetadataOptions {
  readonly HttpTokens: 'optional' | 'required';
  readonly HttpPutResponseHopLimit: number;
  readonly HttpEndpoint: 'enabled' | 'disabled';
}

/** What the IMDS serves about the instance it runs on. */
export interface InstanceIdentity {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly imageId: string;
  readonly privateIp: string;
  readonly hostname: string;
  readonly mac: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly accountId: string;
  /** ms since the epoch: the instance's launch (pendingTime). */
  readonly launchedAt: number;
}

/** The node's instance profile, as iam/info shows it. */
export interface InstanceProfile {
  readonly roleName: string;
  readonly arn: string;
  readonly id: string;
}

/** STS session credentials for the node role (what EC2 fetches for the instance profile). */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Date or ms since the epoch or ISO text. */
  readonly expiration: Date | number | string;
}

/**
 * Who is calling, decided by the listener the connection arrived on, never by anything the caller sends:
 * the node itself (and hostNetwork pods, which share its network namespace) or one pod behind its own
 * (virtual) interface, one hop further away.
 */
export type Caller =
  | { readonly kind: 'node' }
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string; readonly uid: string };

export const DEFAULT_METADATA_OPTIONS: MetadataOptions = Object.freeze({
  HttpTokens: 'optional',
  HttpPutResponseHopLimit: 2,
  HttpEndpoint: 'enabled',
});
