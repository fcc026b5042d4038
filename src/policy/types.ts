import type { ActionMatcher } from './actions.js';
import type { CompiledCondition } from './conditions.js';
import type { PrincipalMatcher } from './principals.js';
import type { ResourceMatcher } from './resources.js';

/** Where a policy is attached; decides which elements are allowed (Principal, Resource, …). */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'scp' | 'rcp' | 'session' | 'boundary';

/** Which size quota applies to a document (reference_iam-quotas.html, Organizations and S3 quotas). */
export type PolicyLimitKind =
  | 'inline-role'
  | 'inline-user'
  | 'managed'
  | 'trust'
  | 'session'
  | 'scp'
  | 'rcp'
  | 'bucket';

export interface PolicyError {
  code: 'MalformedPolicyDocument' | 'LimitExceeded';
  /** AWS's wording, e.g. "Syntax errors in policy." */
  message: string;
  /** 1-based position of the offending statement (or JSON token) in the original text. */
  line?: number;
  column?: number;
}

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** 0-based character offset into the text. */
  offset: number;
}

export interface SourceRange {
  start: SourcePosition;
  /** Position just after the closing brace. */
  end: SourcePosition;
}

export type Effect = 'Allow' | 'Deny';

/** The compiled form of one statement. Built once by parsePolicy; evaluation never touches JSON again. */
export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly range: SourceRange;
  /** @internal matchers; shapes may change. */
  readonly actions: ActionMatcher;
  readonly resources: ResourceMatcher | null;
  readonly principals: PrincipalMatcher | null;
  readonly conditions: readonly CompiledCondition[];
}

export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly name: string;
  readonly version: '2012-10-17' | '2008-10-17' | undefined;
  readonly id: string | undefined;
  /** The original text, kept for rendering. */
  readonly text: string;
  /** The parsed document (plain JSON values). */
  readonly document: unknown;
  readonly statements: readonly CompiledStatement[];
  /** @internal statements that can match an action, by lower-case service prefix. */
  readonly byService: ReadonlyMap<string, readonly CompiledStatement[]>;
  /** @internal statements that can match any service (Action "*", NotAction, wildcard prefixes). */
  readonly anyService: readonly CompiledStatement[];
}

export type PrincipalType =
  | 'Account'
  | 'User'
  | 'Role'
  | 'AssumedRole'
  | 'WebIdentity'
  | 'Service'
  | 'Anonymous';

export interface RequestPrincipal {
  /** e.g. arn:aws:sts::111122223333:assumed-role/app/sess, arn:aws:iam::111122223333:root,
   * arn:aws:iam::ACCT:oidc-provider/host/path, or a service principal name (s3.amazonaws.com). */
  arn: string;
  accountId: string;
  type: PrincipalType;
  /** For AssumedRole: the role's ARN (resource policies naming the role match the session). */
  roleArn?: string;
  /** aws:userid, e.g. AROAxxxx:sess */
  userId?: string;
  /** aws:PrincipalTag/* */
  tags?: Record<string, string>;
  isServiceLinkedRole?: boolean;
}

export interface EvaluationRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  /** The account that owns the resource. Defaults to the ARN's account field, then to the principal's. */
  resourceAccount?: string;
  context: Record<string, string | string[]>;
}

export interface NamedPolicy {
  name: string;
  arn?: string;
  policy: CompiledPolicy;
}

export interface EvaluationInput {
  request: EvaluationRequest;
  identityPolicies?: NamedPolicy[];
  permissionsBoundary?: NamedPolicy | null;
  /** Inline `Policy` and each of `PolicyArns`: one set (an Allow in any of them suffices). */
  sessionPolicies?: NamedPolicy[];
  /** Levels root → OUs → account, each a list of policies. */
  scps?: NamedPolicy[][];
  /** Levels root → OUs → account; RCPFullAWSAccess is implied at every level. */
  rcps?: NamedPolicy[][];
  resourcePolicy?: NamedPolicy | null;
  /** SCPs and RCPs do not apply in the organization's management account. */
  isManagementAccount?: boolean;
}

export type DecidingLayer = 'rcp' | 'scp' | 'resource' | 'identity' | 'boundary' | 'session';

export interface MatchedStatement {
  policyName: string;
  policyKind: PolicyKind;
  sid?: string;
  index: number;
  effect: Effect;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type NearMissField = 'Action' | 'Resource' | 'Principal' | 'Condition';

export interface NearMiss {
  policyName: string;
  policyKind: PolicyKind;
  sid?: string;
  index: number;
  line: number;
  column: number;
  endLine: number;
  field: NearMissField;
  message: string;
  key?: string;
  operator?: string;
  expected?: string[];
  actual?: string[];
  /** How many fields of the statement failed (1 = only this one). */
  failures: number;
}

export interface TraceEntry {
  layer: DecidingLayer;
  /** Org level for SCP/RCP entries (0 = root). */
  level?: number;
  policyName: string;
  index: number;
  sid?: string;
  effect: Effect;
  matched: boolean;
  /** The first element that did not match. */
  failed?: NearMissField;
  detail?: string;
}

export interface Decision {
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  decidedBy: DecidingLayer | null;
  /** AWS's phrase, e.g. "because no identity-based policy allows the s3:PutObject action". */
  reason: string;
  matchedStatements: MatchedStatement[];
  missingContextKeys: string[];
  nearMisses: NearMiss[];
  trace?: TraceEntry[];
}
