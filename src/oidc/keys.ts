import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JsonWebKey } from './types.js';

/**
 * kube-apiserver's key id: base64url (no padding) of SHA-256 over the DER-encoded SubjectPublicKeyInfo
 * (`keyIDFromPublicKey` in k8s.io/kubernetes pkg/serviceaccount/jwt.go).
 */
export function kidFromPublicKey(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** The JWKS entry kube-apiserver publishes for an RSA signing key. */
export function publicJwk(publicKey: KeyObject): JsonWebKey {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new Error('service-account signing keys must be RSA');
  }
  return { use: 'sig', kty: 'RSA', kid: kidFromPublicKey(publicKey), alg: 'RS256', n: jwk.n, e: jwk.e };
}

export interface GeneratedSigningKey {
  readonly kid: string;
  readonly privateKeyPem: string;
  readonly jwk: JsonWebKey;
}

/** A new RSA-2048 signing key, as kube-apiserver's --service-account-signing-key-file usually holds. */
export function generateSigningKey(): GeneratedSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid: kidFromPublicKey(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    jwk: publicJwk(publicKey),
  };
}

export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}
