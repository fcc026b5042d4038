export {
  type AuthenticatedRequest,
  type AuthenticateOptions,
  authenticateRequest,
  toSigV4Request,
} from './authenticate.js';
export {
  type AdminKeyPair,
  assumedRoleArn,
  type Credentials,
  type CredentialsOptions,
  createCredentials,
  type IssuedCredentials,
  type IssueSessionInput,
  loadSessionKey,
  type ResolvedSigner,
  type SessionPolicyCompiler,
  type SessionPolicyText,
  type SessionRole,
} from './credentials.js';
export {
  type Authorizer,
  type AwsEndpointOptions,
  type AwsLogEntry,
  anonymousCaller,
  createAwsEndpoint,
  DEFAULT_MAX_BODY_BYTES,
  denyAllButAdmin,
  type RequestFacts,
} from './endpoint.js';
export {
  AUTH_MESSAGES,
  AuthError,
  type AuthFailureReason,
  authErrors,
  commonErrors,
  validationError,
} from './errors.js';
export { AWS_MIGRATIONS } from './migrations.js';
export {
  type CallerPolicies,
  createPolicyAuthorizer,
  type PolicyAuthorizerDeps,
  principalWithRoleTags,
  requestContext,
} from './policy-authorizer.js';
export * from './service.js';
export type { SessionClaims } from './session-token.js';
export {
  ALGORITHM,
  buildCanonicalRequest,
  buildStringToSign,
  canonicalUri,
  EMPTY_SHA256,
  formatAmzDate,
  hmac,
  parseAmzDate,
  type SigV4Request,
  sha256Hex,
  signatureHex,
  signingKey,
  UNSIGNED_PAYLOAD,
  uriEncode,
} from './sigv4-canonical.js';
export { type SignedRequest, type SignInput, type SigningCredentials, signRequest } from './sigv4-sign.js';
export {
  type CanonicalForm,
  canonicalForm,
  checkSigningTime,
  MAX_PRESIGN_SECONDS,
  MAX_SKEW_MS,
  parseSigV4,
  peekSigningService,
  type SigV4Auth,
  type VerifiedSignature,
  type VerifyOptions,
  verifySignature,
} from './sigv4-verify.js';
export { isoSeconds, renderQueryError, renderQueryResponse, xmlEscape } from './xml.js';
