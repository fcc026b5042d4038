import {
  type AwsContext,
  commonErrors,
  principalWithRoleTags,
  type QueryParams,
  type QueryResult,
} from '../aws/index.js';
import { evaluate } from '../policy/index.js';
import { DEFAULT_DURATION_SECONDS, MAX_DURATION_MESSAGE } from './assume-role-with-web-identity.js';
import {
  checkCommon,
  checkExternalId,
  checkSourceIdentity,
  checkTags,
  Problems,
  parseRoleArn,
} from './params.js';
import { credentialsResult, sessionPolicies } from './session-policies.js';
import { globalContext, type StsDeps } from './sts-deps.js';

const ACTION = 'sts:AssumeRole';
export const CHAINING_LIMIT_SECONDS = 3600;
export const CHAINING_MESSAGE =
  'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
export const ROOT_MESSAGE = 'Roles may not be assumed by root accounts.';

export const notAuthorized = (callerArn: string, action: string, roleArn: string) =>
  `User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}`;

/**
 * AssumeRole (signed). The role's trust policy is the resource policy and the caller is the principal, so
 * the caller's identity policies, boundary, session policies and SCPs take part (iam.md §1.7–1.8). From a
 * session this is role chaining: at most one hour, transitive tags and the source identity carried over.
 */
export function assumeRole(deps: StsDeps) {
  return async (params: QueryParams, ctx: AwsContext): Promise<QueryResult> => {
    const p = new Problems();
    const common = checkCommon(params, p);
    const externalId = checkExternalId(params, p);
    const requestedSourceIdentity = checkSourceIdentity(params, p);
    const { tags: requestTags, transitive } = checkTags(params, p);
    p.throwIfAny();

    const caller = ctx.caller;
    // AWS refuses role assumption with root credentials; irsakit's administrator is the account root.
    if (caller.kind !== 'session') throw commonErrors.accessDenied(ROOT_MESSAGE);
    const chained = true;
    const duration = common.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    if (chained && duration > CHAINING_LIMIT_SECONDS) throw commonErrors.validation(CHAINING_MESSAGE);

    const { account } = parseRoleArn(common.roleArn);
    const role = await deps.iam.getRole(account, common.roleArn);
    if (!role) throw commonErrors.accessDenied(notAuthorized(caller.arn, ACTION, common.roleArn));
    if (duration > role.maxSessionDuration) throw commonErrors.validation(MAX_DURATION_MESSAGE);

    // Transitive session tags pass on and cannot be overridden in the chained request (id_session-tags.md).
    const inherited: Record<string, string> = {};
    for (const k of caller.session?.transitiveTagKeys ?? []) {
      const v = caller.session?.tags[k];
      if (v !== undefined) inherited[k] = v;
    }
    const tags = { ...requestTags, ...inherited };
    const sourceIdentity = caller.session?.sourceIdentity ?? requestedSourceIdentity;

    const context: Record<string, string | string[]> = {
      ...globalContext(ctx),
      'sts:RoleSessionName': common.roleSessionName,
    };
    if (externalId !== undefined) context['sts:ExternalId'] = externalId;
    if (requestedSourceIdentity !== undefined) context['sts:SourceIdentity'] = requestedSourceIdentity;
    if (caller.session?.sourceIdentity !== undefined)
      context['aws:SourceIdentity'] = caller.session.sourceIdentity;
    const requestTagKeys = Object.keys(requestTags);
    if (requestTagKeys.length > 0) {
      for (const [k, v] of Object.entries(requestTags)) context[`aws:RequestTag/${k}`] = v;
      context['aws:TagKeys'] = requestTagKeys;
      if (transitive.length > 0) context['sts:TransitiveTagKeys'] = transitive;
    }
    const mine = await deps.iam.loadPrincipalPolicies(caller);
    const session = caller.session;
    const callerRole = session ? await deps.iam.getRole(caller.accountId, session.roleArn) : undefined;
    const principal = principalWithRoleTags(caller, { getRole: () => callerRole });
    const allowed = (action: string) =>
      evaluate({
        request: {
          principal,
          action,
          resource: role.arn,
          resourceAccount: account,
          context,
        },
        identityPolicies: mine.identityPolicies,
        permissionsBoundary: mine.permissionsBoundary,
        sessionPolicies: [...(caller.session?.sessionPolicies ?? [])],
        scps: mine.scps,
        rcps: mine.rcps,
        isManagementAccount: mine.isManagementAccount,
        resourcePolicy: { name: 'AssumeRolePolicyDocument', policy: role.trustPolicy },
      }).decision === 'Allow';
    if (!allowed(ACTION)) throw commonErrors.accessDenied(notAuthorized(caller.arn, ACTION, role.arn));
    if (requestTagKeys.length > 0 && !allowed('sts:TagSession')) {
      throw commonErrors.accessDenied(notAuthorized(caller.arn, 'sts:TagSession', role.arn));
    }
    if (requestedSourceIdentity !== undefined && !allowed('sts:SetSourceIdentity')) {
      throw commonErrors.accessDenied(notAuthorized(caller.arn, 'sts:SetSourceIdentity', role.arn));
    }

    const packed = await sessionPolicies(deps.iam, common.policy, common.policyArns, requestTags);
    const issued = deps.credentials.issueSessionCredentials({
      role,
      sessionName: common.roleSessionName,
      durationSeconds: duration,
      sessionPolicies: packed.policies,
      tags,
      transitiveTagKeys: [...new Set([...transitive, ...Object.keys(inherited)])],
      chained,
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    });
    return {
      ...credentialsResult(issued),
      PackedPolicySize: packed.packedPolicySize,
      SourceIdentity: sourceIdentity,
    };
  };
}
