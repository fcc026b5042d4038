import { type AwsContext, commonErrors, type QueryParams, type QueryResult } from '../aws/index.js';
import { evaluate } from '../policy/index.js';
import { checkCommon, Problems, parseRoleArn } from './params.js';
import { credentialsResult, sessionPolicies } from './session-policies.js';
import { globalContext, type StsDeps } from './sts-deps.js';
import { verifyWebIdentityToken } from './web-identity-token.js';

const ACTION = 'sts:AssumeRoleWithWebIdentity';
export const NOT_AUTHORIZED_WEB_IDENTITY = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';
export const MAX_DURATION_MESSAGE =
  'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
export const DEFAULT_DURATION_SECONDS = 3600;

/**
 * AssumeRoleWithWebIdentity (unsigned), in AWS's order:
 * 1. model constraints (one ValidationError counting every failure), the role ARN, DurationSeconds against the
 *    role's MaxSessionDuration;
 * 2–5. the token (web-identity-token.ts): provider by iss, audience, keys, algorithm and signature, times;
 * 6. the role's trust policy, evaluated by src/policy with the token's condition keys (and sts:TagSession when
 *    the token carries session tags);
 * 7. credentials and the response, field for field.
 */
export function assumeRoleWithWebIdentity(deps: StsDeps) {
  return async (params: QueryParams, ctx: AwsContext): Promise<QueryResult> => {
    const p = new Problems();
    const common = checkCommon(params, p);
    const token = params.get('WebIdentityToken');
    if (p.required('webIdentityToken', token)) p.length('webIdentityToken', token, 4, 20000, true);
    const providerId = params.get('ProviderId');
    if (providerId !== undefined) p.length('providerId', providerId, 4, 2048);
    p.throwIfAny();

    const { account } = parseRoleArn(common.roleArn);
    const role = await deps.iam.getRole(account, common.roleArn);
    const duration = common.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    if (role && duration > role.maxSessionDuration) throw commonErrors.validation(MAX_DURATION_MESSAGE);

    const identity = await verifyWebIdentityToken(token as string, {
      lookupProvider: (url) => deps.iam.getOpenIdConnectProviderByUrl(account, url),
      jwks: deps.jwks,
      now: ctx.now(),
    });

    // A missing role answers like a refusing trust policy, so role existence is not revealed (research §2.8).
    if (!role) throw commonErrors.accessDenied(NOT_AUTHORIZED_WEB_IDENTITY);
    const providerPath = identity.provider.url;
    const tags = identity.sessionTags?.tags ?? {};
    const tagKeys = Object.keys(tags);
    const context: Record<string, string | string[]> = {
      ...globalContext(ctx),
      [`${providerPath}:sub`]: identity.sub,
      [`${providerPath}:aud`]: identity.audience,
      'sts:RoleSessionName': common.roleSessionName,
      'aws:FederatedProvider': identity.provider.arn,
    };
    if (identity.amr) context[`${providerPath}:amr`] = identity.amr;
    if (identity.sourceIdentity !== undefined) {
      context['sts:SourceIdentity'] = identity.sourceIdentity;
      context['aws:SourceIdentity'] = identity.sourceIdentity;
    }
    if (tagKeys.length > 0) {
      for (const [k, v] of Object.entries(tags)) context[`aws:RequestTag/${k}`] = v;
      context['aws:TagKeys'] = tagKeys;
      if (identity.sessionTags?.transitive.length)
        context['sts:TransitiveTagKeys'] = identity.sessionTags.transitive;
    }
    const principal = { arn: identity.provider.arn, accountId: account, type: 'WebIdentity' as const };
    const trust = { name: 'AssumeRolePolicyDocument', policy: role.trustPolicy };
    const allowed = (action: string) =>
      evaluate({
        request: { principal, action, resource: role.arn, resourceAccount: account, context },
        resourcePolicy: trust,
      }).decision === 'Allow';
    if (!allowed(ACTION)) throw commonErrors.accessDenied(NOT_AUTHORIZED_WEB_IDENTITY);
    // Session tags in the token need sts:TagSession in the trust policy too (id_session-tags.md).
    if (tagKeys.length > 0 && !allowed('sts:TagSession'))
      throw commonErrors.accessDenied(NOT_AUTHORIZED_WEB_IDENTITY);
    if (identity.sourceIdentity !== undefined && !allowed('sts:SetSourceIdentity')) {
      throw commonErrors.accessDenied(NOT_AUTHORIZED_WEB_IDENTITY);
    }

    const packed = await sessionPolicies(deps.iam, common.policy, common.policyArns, tags);
    const issued = deps.credentials.issueSessionCredentials({
      role,
      sessionName: common.roleSessionName,
      durationSeconds: duration,
      sessionPolicies: packed.policies,
      tags,
      transitiveTagKeys: identity.sessionTags?.transitive ?? [],
      federatedProvider: identity.provider.arn,
      ...(identity.sourceIdentity !== undefined ? { sourceIdentity: identity.sourceIdentity } : {}),
    });
    // Model order: Credentials, SubjectFromWebIdentityToken, AssumedRoleUser, PackedPolicySize, Provider, …
    const { Credentials, AssumedRoleUser } = credentialsResult(issued);
    return {
      Credentials,
      SubjectFromWebIdentityToken: identity.sub,
      AssumedRoleUser,
      PackedPolicySize: packed.packedPolicySize,
      Provider: identity.provider.arn,
      Audience: identity.audience,
      SourceIdentity: identity.sourceIdentity,
    };
  };
}
