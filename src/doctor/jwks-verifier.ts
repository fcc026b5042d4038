import { compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet } from 'jose';
import { issuerKey } from './arn.js';
import type { TokenVerifier } from './check-context.js';
import type { Snapshot } from './types.js';

/**
 * Verifies token signatures (RS256) against the JWKS known for the token's issuer: saved next to the exports
 * (`kubectl get --raw /openid/v1/jwks`) or fetched live. Only the signature is judged here; times and
 * audience are the token check's own findings, each reported separately.
 */
export function jwksVerifier(jwks: Snapshot['jwks']): TokenVerifier {
  return async (token, issuer) => {
    const set = jwks[issuerKey(issuer)];
    if (!set)
      return {
        status: 'unavailable',
        reason: `no JWKS for ${issuer} (save kubectl get --raw /openid/v1/jwks as jwks.json)`,
      };
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return { status: 'invalid', reason: 'the token is not a JWS' };
    }
    try {
      await compactVerify(token, createLocalJWKSet(set as unknown as JSONWebKeySet), {
        algorithms: ['RS256'],
      });
      return { status: 'valid' };
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) {
        return { status: 'invalid', reason: `the JWKS has no key with kid ${kid ?? '(none)'}` };
      }
      if (err instanceof errors.JWSSignatureVerificationFailed) {
        return { status: 'invalid', reason: `the signature does not match key ${kid}` };
      }
      return { status: 'invalid', reason: (err as Error).message };
    }
  };
}
