import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Self-contained STS session credentials.
 *
 * The session token is AES-256-GCM over a small JSON document (the session's identity, policies, tags, chaining
 * flag and expiry), so any process holding the key verifies it without a database read and any change to any
 * byte makes it invalid. The ASIA access key id and the secret are HMACs of a random nonce carried inside the
 * encrypted token: the token alone reveals neither, and a key id cannot be paired with another session's token.
 */

/** The decrypted content of a session token. Short keys keep the token small (it travels on every request). */
export interface SessionClaims {
  /** format version */
  readonly v: 1;
  /** nonce (base64), source of the key id and the secret */
  readonly n: string;
  /** account */
  readonly a: string;
  /** role ARN, role id (AROA…), role name */
  readonly r: string;
  readonly ri: string;
  readonly rn: string;
  /** session name */
  readonly s: string;
  /** session policies: name, optional ARN, text */
  readonly p: readonly { readonly n: string; readonly a?: string; readonly t: string }[];
  /** session tags */
  readonly t: Readonly<Record<string, string>>;
  /** transitive tag keys (survive role chaining) */
  readonly tt?: readonly string[];
  /** chained (AssumeRole from a session) */
  readonly c: boolean;
  /** issued at, expires at (ms) */
  readonly i: number;
  readonly e: number;
  readonly si?: string;
  /** federated provider ARN for web-identity sessions (aws:FederatedProvider) */
  readonly fp?: string;
}

const VERSION = 1;
const AAD = Buffer.from('irsakit/sts/session-token/v1');
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Refuse to even decode absurd tokens (a token with 10 policies of 2048 characters and 50 tags is ~12 KiB). */
export const MAX_SESSION_TOKEN_LENGTH = 16_384;

export interface SessionKeys {
  readonly enc: Buffer;
  readonly id: Buffer;
  readonly secret: Buffer;
}

/** Separate keys per purpose, derived from the one master key kept in the store. */
export function deriveSessionKeys(master: Buffer): SessionKeys {
  const derive = (label: string) => createHmac('sha256', master).update(label).digest();
  return {
    enc: derive('irsakit session enc'),
    id: derive('irsakit session akid'),
    secret: derive('irsakit session secret'),
  };
}

function base32(buf: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** ASIA + 16 upper-case base32 characters: 20 characters, as AWS's temporary key ids. */
export function accessKeyIdFor(keys: SessionKeys, nonce: Buffer): string {
  return `ASIA${base32(createHmac('sha256', keys.id).update(nonce).digest(), 16)}`;
}

/** 40 characters of base64, as AWS's secrets. */
export function secretFor(keys: SessionKeys, nonce: Buffer): string {
  return createHmac('sha256', keys.secret).update(nonce).digest('base64').slice(0, 40);
}

export function sealSessionToken(keys: SessionKeys, claims: SessionClaims, iv: Buffer): string {
  const cipher = createCipheriv('aes-256-gcm', keys.enc, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Decrypts and authenticates a token; undefined for anything that is not a token sealed with these keys. */
export function openSessionToken(keys: SessionKeys, token: string): SessionClaims | undefined {
  if (token.length < 40 || token.length > MAX_SESSION_TOKEN_LENGTH) return undefined;
  const raw = Buffer.from(token, 'base64');
  // Node's base64 decoder skips junk and ignores non-canonical trailing bits; insist on the canonical
  // encoding so that no two token strings decode to the same bytes.
  if (raw.toString('base64') !== token) return undefined;
  if (raw.length < 1 + 12 + 16 + 2 || raw[0] !== VERSION) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.enc, raw.subarray(1, 13));
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(13, 29));
    const plain = Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]);
    const claims = JSON.parse(plain.toString('utf8')) as SessionClaims;
    return claims.v === VERSION ? claims : undefined;
  } catch {
    return undefined;
  }
}

export function sameString(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
