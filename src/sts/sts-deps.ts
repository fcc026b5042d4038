import { type AwsContext, type Caller, type Credentials, requestContext } from '../aws/index.js';
import type { CompiledPolicy, NamedPolicy } from '../policy/index.js';
import type { JwksCache } from './jwks-cache.js';
import type { OidcProvider } from './web-identity-token.js';

/** What STS needs about a role (src/iam's RoleInfo has these fields and more). */
export interface StsRole {
  readonly arn: string;
  readonly roleId: string;
  readonly roleName: string;
  readonly trustPolicy: CompiledPolicy;
  readonly maxSessionDuration: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** The caller's side of an authorization decision (src/iam's loadPrincipalPolicies). */
export interface StsPrincipalPolicies {
  readonly identityPolicies: NamedPolicy[];
  readonly permissionsBoundary: NamedPolicy | null;
  readonly scps: NamedPolicy[][];
  readonly rcps: NamedPolicy[][];
  readonly isManagementAccount: boolean;
}

type MaybePromise<T> = T | Promise<T>;

/** The IAM lookups STS uses; src/iam's createIam(...) result satisfies it. */
export interface StsIam {
  getRole(account: string, roleNameOrArn: string): MaybePromise<StsRole | undefined>;
  getOpenIdConnectProviderByUrl(
    account: string,
    urlWithoutScheme: string,
  ): MaybePromise<OidcProvider | undefined>;
  loadPrincipalPolicies(caller: Caller): MaybePromise<StsPrincipalPolicies>;
  /** A managed policy's default version, for PolicyArns; without it PolicyArns are refused. */
  getManagedPolicyDocument?(
    arn: string,
  ): MaybePromise<{ arn: string; name: string; text: string } | undefined>;
}

export interface StsDeps {
  readonly credentials: Pick<Credentials, 'issueSessionCredentials'>;
  readonly iam: StsIam;
  readonly jwks: JwksCache;
}

/** Global condition keys every STS decision carries (reference_policies_condition-keys.html). */
export function globalContext(ctx: AwsContext): Record<string, string | string[]> {
  return requestContext(ctx.caller, {
    sourceIp: ctx.sourceIp,
    secure: ctx.secure,
    region: ctx.region,
    now: ctx.now(),
  });
}
