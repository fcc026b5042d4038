import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NamedPolicy, RequestPrincipal } from '../policy/index.js';

/**
 * The contract between the AWS endpoint (src/aws: routing, SigV4, wire formats) and the services
 * plugged into it (src/iam, src/sts, src/organizations, src/eks, src/s3). A service declares its protocol
 * and operations; src/aws parses the request, authenticates the caller, calls the operation and renders
 * the result or the AwsError in the protocol's shape.
 */

/** Who signed the request, as established by SigV4 and the credential store. */
export interface Caller {
  readonly kind: 'admin' | 'session' | 'anonymous';
  /** arn:aws:iam::ACCT:root for the administrator, arn:aws:sts::ACCT:assumed-role/ROLE/SESSION for a session. */
  readonly arn: string;
  readonly accountId: string;
  /** aws:userid: ACCT for root/admin, AROA…:SESSION for a role session. */
  readonly userId: string;
  readonly accessKeyId?: string;
  /** The policy engine's view of this principal. */
  readonly principal: RequestPrincipal;
  /** For sessions: the role ARN, the session name, inline/managed session policies, session tags, expiry (ms). */
  readonly session?: {
    readonly roleArn: string;
    readonly roleName: string;
    readonly roleId: string;
    readonly sessionName: string;
    readonly sessionPolicies: readonly NamedPolicy[];
    readonly tags: Readonly<Record<string, string>>;
    readonly expiresAt: number;
    /** Role chaining: AssumeRole from a session caps the new session at one hour. */
    readonly chained: boolean;
    readonly sourceIdentity?: string;
    /** Session tags that pass on to sessions chained from this one (sts:TransitiveTagKeys). */
    readonly transitiveTagKeys?: readonly string[];
    /** The IAM OIDC provider ARN of a web-identity session (aws:FederatedProvider). */
    readonly federatedProvider?: string;
  };
}

export interface AwsContext {
  readonly requestId: string;
  readonly caller: Caller;
  readonly account: string;
  readonly region: string;
  readonly sourceIp: string;
  readonly secure: boolean;
  readonly now: () => number;
  /**
   * Authorizes `action` on `resource` for the caller with the policy engine (all layers). Throws the
   * AwsError AccessDenied with AWS's wording when denied. Administrators are always allowed.
   */
  authorize(action: string, resource: string, context?: Record<string, string | string[]>): Promise<void>;
}

/** An AWS wire error. src/aws renders it per protocol (Query XML, JSON 1.1, REST-JSON, S3 REST XML). */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';
  /** Extra fields some errors carry (S3: Resource, StringToSign, CanonicalRequest, …). */
  readonly extra: Readonly<Record<string, string>>;

  constructor(
    code: string,
    message: string,
    status = 400,
    type: 'Sender' | 'Receiver' = 'Sender',
    extra = {},
  ) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
    this.type = type;
    this.extra = extra;
  }
}

/** Form parameters of a Query call, flattened as sent ("ClientIDList.member.1" → value). */
export type QueryParams = ReadonlyMap<string, string>;

/**
 * A Query-protocol result: a plain object rendered as XML inside <ActionResult>. Arrays render as
 * <member> children; Date renders as ISO 8601; undefined fields are omitted.
 */
export type QueryResult = Record<string, unknown> | undefined;

export interface QueryService {
  readonly protocol: 'query';
  /** SigV4 credential-scope service name ("iam", "sts"). */
  readonly signingName: string;
  readonly version: string;
  readonly xmlns: string;
  /** Actions that may be called without a signature (STS AssumeRoleWithWebIdentity). */
  readonly unsignedActions?: readonly string[];
  readonly actions: Readonly<Record<string, (params: QueryParams, ctx: AwsContext) => Promise<QueryResult>>>;
}

export interface JsonService {
  readonly protocol: 'json';
  readonly signingName: string;
  /** X-Amz-Target prefix, e.g. "AWSOrganizationsV20161128". */
  readonly targetPrefix: string;
  readonly operations: Readonly<
    Record<string, (input: Record<string, unknown>, ctx: AwsContext) => Promise<unknown>>
  >;
}

export interface RestJsonRoute {
  readonly method: string;
  /** Path pattern with {name} segments, e.g. "/clusters/{name}". */
  readonly path: string;
  readonly operation: string;
  handle(
    params: Readonly<Record<string, string>>,
    query: URLSearchParams,
    body: unknown,
    ctx: AwsContext,
  ): Promise<{ status?: number; body: unknown }>;
}

export interface RestJsonService {
  readonly protocol: 'rest-json';
  readonly signingName: string;
  readonly routes: readonly RestJsonRoute[];
}

/** A service that reads and writes the HTTP exchange itself (S3 streams bodies; it is never buffered). */
export interface RawService {
  readonly protocol: 'raw';
  readonly signingName: string;
  handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void>;
}

export type AwsService = QueryService | JsonService | RestJsonService | RawService;
