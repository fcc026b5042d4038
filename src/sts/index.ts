export {
  assumeRole,
  CHAINING_LIMIT_SECONDS,
  CHAINING_MESSAGE,
  notAuthorized,
  ROOT_MESSAGE,
} from './assume-role.js';
export {
  assumeRoleWithWebIdentity,
  DEFAULT_DURATION_SECONDS,
  MAX_DURATION_MESSAGE,
  NOT_AUTHORIZED_WEB_IDENTITY,
} from './assume-role-with-web-identity.js';
export { createStsService, STS_VERSION, STS_XMLNS } from './create-sts-service.js';
export { createJwksCache, type JwksCache, type JwksCacheOptions, KeyRetrievalError } from './jwks-cache.js';
export { PACKED_BUDGET } from './session-policies.js';
export type { StsDeps, StsIam, StsPrincipalPolicies, StsRole } from './sts-deps.js';
export {
  ALLOWED_ALGORITHMS,
  FUTURE_LEEWAY_SECONDS,
  type OidcProvider,
  TOKEN_MESSAGES,
  type VerifiedWebIdentity,
  verifyWebIdentityToken,
} from './web-identity-token.js';
