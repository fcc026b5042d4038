import { accessDeniedMessage, evaluate, type NamedPolicy, type RequestPrincipal } from '../policy/index.js';
import type { Authorizer, RequestFacts } from './endpoint.js';
import { commonErrors } from './errors.js';
import type { Caller } from './service.js';

/** The caller's side of a decision; src/iam's `loadPrincipalPolicies` returns it. */
export interface CallerPolicies {
  readonly identityPolicies: NamedPolicy[];
  readonly permissionsBoundary: NamedPolicy | null;
  readonly scps: NamedPolicy[][];
  readonly rcps: NamedPolicy[][];
  readonly isManagementAccount: boolean;
}

export interface PolicyAuthorizerDeps {
  loadPrincipalPolicies(caller: Caller): CallerPolicies | Promise<CallerPolicies>;
  /** The session's role, for its tags (aws:PrincipalTag). src/iam's getRole. */
  getRole?(
    account: string,
    roleArn: string,
  ): { readonly tags?: Readonly<Record<string, string>> } | undefined;
}

/**
 * The principal as the engine sees it: for a role session, aws:PrincipalTag is the role's tags overlaid with the
 * session tags (a session tag wins over a role tag with the same key; id_session-tags.md).
 */
export function principalWithRoleTags(
  caller: Caller,
  deps: Pick<PolicyAuthorizerDeps, 'getRole'>,
): RequestPrincipal {
  const s = caller.session;
  if (!s || !deps.getRole) return caller.principal;
  const roleTags = deps.getRole(caller.accountId, s.roleArn)?.tags;
  if (!roleTags || Object.keys(roleTags).length === 0) return caller.principal;
  return { ...caller.principal, tags: { ...roleTags, ...s.tags } };
}

/** Global condition keys from the exchange and the session (reference_policies_condition-keys.html). */
export function requestContext(caller: Caller, facts: RequestFacts): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {
    'aws:CurrentTime': new Date(facts.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(facts.now / 1000)),
    'aws:SourceIp': facts.sourceIp,
    'aws:SecureTransport': String(facts.secure),
    'aws:RequestedRegion': facts.region,
    'aws:ViaAWSService': 'false',
  };
  if (facts.userAgent !== undefined) ctx['aws:UserAgent'] = facts.userAgent;
  const s = caller.session;
  if (s) {
    if (s.federatedProvider !== undefined && !s.chained) ctx['aws:FederatedProvider'] = s.federatedProvider;
    if (s.sourceIdentity !== undefined) ctx['aws:SourceIdentity'] = s.sourceIdentity;
  }
  return ctx;
}

/**
 * The endpoint's default authorizer for IAM-authorized calls (IAM, Organizations, EKS): the administrator (the
 * account root) is always allowed; every other caller is evaluated by src/policy with its identity policies,
 * boundary, session policies and the organization's SCPs/RCPs. Services with resource policies (S3) run their
 * own evaluation.
 */
export function createPolicyAuthorizer(deps: PolicyAuthorizerDeps): Authorizer {
  return async (caller, action, resource, context, facts) => {
    if (caller.kind === 'admin') return;
    const mine =
      caller.kind === 'anonymous'
        ? { identityPolicies: [], permissionsBoundary: null, scps: [], rcps: [], isManagementAccount: false }
        : await deps.loadPrincipalPolicies(caller);
    const decision = evaluate({
      request: {
        principal: principalWithRoleTags(caller, deps),
        action,
        resource,
        context: { ...requestContext(caller, facts), ...context },
      },
      identityPolicies: mine.identityPolicies,
      permissionsBoundary: mine.permissionsBoundary,
      sessionPolicies: [...(caller.session?.sessionPolicies ?? [])],
      scps: mine.scps,
      rcps: mine.rcps,
      isManagementAccount: mine.isManagementAccount,
    });
    if (decision.decision !== 'Allow') {
      throw commonErrors.accessDenied(accessDeniedMessage(caller.arn, action, resource, decision));
    }
  };
}
