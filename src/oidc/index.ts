export { discoveryHandler } from './discovery-handler.js';
export {
  ClusterIssuer,
  DEFAULT_TOKEN_SECONDS,
  type DiscoveryDocument,
  derivedUid,
  type IssuerOptions,
  MAX_TOKEN_SECONDS,
  MIN_TOKEN_SECONDS,
} from './issuer.js';
export { generateSigningKey, kidFromPublicKey, publicJwk } from './keys.js';
export type { ClusterInfo, JsonWebKey, MintedToken, MintRequest, ProjectedTokenClaims } from './types.js';
