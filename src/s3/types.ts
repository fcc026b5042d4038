import type { Caller } from '../aws/index.js';
import type { NamedPolicy } from '../policy/index.js';
import type { Store } from '../store/index.js';
import type { S3Authenticate } from './s3-authenticate.js';

/** The caller's policies, as src/iam's loadPrincipalPolicies returns them. */
export interface PrincipalPolicies {
  readonly identityPolicies: NamedPolicy[];
  readonly permissionsBoundary: NamedPolicy | null;
  readonly scps: NamedPolicy[][];
  readonly rcps: NamedPolicy[][];
  readonly isManagementAccount: boolean;
}

export type PoliciesFor = (caller: Caller) => PrincipalPolicies | Promise<PrincipalPolicies>;

export type S3Log = (event: {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [k: string]: unknown;
}) => void;

export interface S3ServiceOptions {
  readonly store: Store;
  /** The emulated account, owner of buckets the administrator creates. */
  readonly account: string;
  readonly region: string;
  readonly now: () => number;
  readonly authenticate: S3Authenticate;
  readonly policiesFor: PoliciesFor;
  readonly log?: S3Log;
  /**
   * Host names under which buckets are addressed virtual-hosted style (`<bucket>.<suffix>`). Default:
   * localhost, s3.localhost, s3.amazonaws.com, s3.<region>.amazonaws.com. IP hosts are always path-style.
   */
  readonly virtualHostSuffixes?: readonly string[];
  /** Largest single PUT (S3: 5 GiB). */
  readonly maxObjectSize?: number;
}
