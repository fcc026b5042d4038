import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import { AwsError } from '../aws/index.js';
import { type JwksCache, KeyRetrievalError } from './jwks-cache.js';

/** An IAM OIDC identity provider as STS needs it (IAM's getOpenIdConnectProviderByUrl). */
export interface OidcProvider {
  readonly arn: string;
  /** The URL without https://, as IAM stores it. */
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
}

/** AWS's messages where known (research/sts.md §1.4); irsakit's own where AWS's is undocumented (marked). */
export const TOKEN_MESSAGES = {
  noProvider: (iss: string) => `No OpenIDConnect provider found in your account for ${iss}`,
  audience: 'Incorrect token audience',
  keyUnavailable:
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  missingClaim: (claim: string) => `Missing a required claim: ${claim}`,
  expired: (nowS: number, exp: number) =>
    // Sic: AWS sends no space before the second number.
    `Token expired: current date/time ${nowS} must be before the expiration date/time${exp}`,
  notJwt: 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
  // irsakit's wording (AWS's is undocumented):
  idpCommunication: (detail: string) =>
    `Couldn't connect to your identity provider to retrieve the verification key (${detail})`,
  algorithm: (alg: string) =>
    `The token is signed with ${alg}; tokens must be signed with RS256, RS384, RS512, ES256, ES384 or ES512`,
  signature: 'The token signature could not be verified with the keys published by your identity provider',
  notYetValid: (claim: string, nowS: number, value: number) =>
    `Token not yet valid: current date/time ${nowS} must be after the ${claim === 'nbf' ? 'not-before' : 'issued-at'} date/time ${value}`,
  numericClaim: (claim: string) => `The ${claim} claim must be an integer`,
  tagsClaim: 'The https://aws.amazon.com/tags claim is malformed',
} as const;

export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;
/**
 * Leeway for nbf/iat in the future. AWS does not document one; kube-apiserver stamps nbf = iat = now, so a
 * small allowance only absorbs clock differences between machines.
 */
export const FUTURE_LEEWAY_SECONDS = 300;

export const invalidToken = (message: string) => new AwsError('InvalidIdentityToken', message, 400);

export interface SessionTagsClaim {
  readonly tags: Record<string, string>;
  readonly transitive: string[];
}

export interface VerifiedWebIdentity {
  readonly issuer: string;
  readonly provider: OidcProvider;
  readonly sub: string;
  /** The aud value that matched the provider's ClientIDList. */
  readonly audience: string;
  readonly amr?: string[];
  readonly sessionTags?: SessionTagsClaim;
  readonly sourceIdentity?: string;
  readonly claims: JWTPayload;
}

export interface VerifyTokenDeps {
  readonly lookupProvider: (
    urlWithoutScheme: string,
  ) => Promise<OidcProvider | undefined> | OidcProvider | undefined;
  readonly jwks: JwksCache;
  /** ms */
  readonly now: number;
}

function parse(token: string): { header: JWSHeaderParameters; payload: JWTPayload } {
  const parts = token.split('.');
  if (
    parts.length !== 3 ||
    parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) ||
    parts[0] === '' ||
    parts[1] === ''
  ) {
    throw invalidToken(TOKEN_MESSAGES.notJwt);
  }
  try {
    return { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
  } catch {
    throw invalidToken(TOKEN_MESSAGES.notJwt);
  }
}

function integerClaim(
  payload: JWTPayload,
  claim: 'exp' | 'nbf' | 'iat',
  required: boolean,
): number | undefined {
  const v = payload[claim];
  if (v === undefined) {
    if (required) throw invalidToken(TOKEN_MESSAGES.missingClaim(claim));
    return undefined;
  }
  // The model: "Timestamps in the token must be formatted as either an integer or a long integer."
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw invalidToken(TOKEN_MESSAGES.numericClaim(claim));
  return v;
}

function audiences(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string')) return aud as string[];
  return undefined;
}

/** The https://aws.amazon.com/tags claim: {principal_tags: {k: [v]}, transitive_tag_keys: [k]} (id_session-tags). */
function sessionTags(claim: unknown): SessionTagsClaim | undefined {
  if (claim === undefined) return undefined;
  const bad = () => invalidToken(TOKEN_MESSAGES.tagsClaim);
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) throw bad();
  const { principal_tags: principal, transitive_tag_keys: transitive } = claim as Record<string, unknown>;
  const tags: Record<string, string> = {};
  if (principal !== undefined) {
    if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) throw bad();
    for (const [k, v] of Object.entries(principal)) {
      const value = Array.isArray(v) && v.length === 1 ? v[0] : v;
      if (typeof value !== 'string' || k.length === 0 || k.length > 128 || value.length > 256) throw bad();
      tags[k] = value;
    }
  }
  if (Object.keys(tags).length > 50) throw bad();
  let keys: string[] = [];
  if (transitive !== undefined) {
    if (!Array.isArray(transitive) || !transitive.every((k) => typeof k === 'string' && k in tags))
      throw bad();
    keys = transitive as string[];
  }
  return { tags, transitive: keys };
}

/**
 * Validates a web identity token as STS does, in AWS's order: parse and required claims; `iss` selects the IAM
 * OIDC provider; `aud` must be in its ClientIDList; the key from the issuer's discovery document and JWKS;
 * algorithm and signature (jose); times. Throws AwsError with AWS's codes.
 */
export async function verifyWebIdentityToken(
  rawToken: string,
  deps: VerifyTokenDeps,
): Promise<VerifiedWebIdentity> {
  // The SDKs read the token file without trimming it (a trailing newline arrives as %0A).
  const token = rawToken.trim();
  const { header, payload } = parse(token);

  if (typeof payload.iss !== 'string' || payload.iss === '')
    throw invalidToken(TOKEN_MESSAGES.missingClaim('iss'));
  if (payload.aud === undefined) throw invalidToken(TOKEN_MESSAGES.missingClaim('aud'));
  if (typeof payload.sub !== 'string' || payload.sub === '')
    throw invalidToken(TOKEN_MESSAGES.missingClaim('sub'));
  const exp = integerClaim(payload, 'exp', true) as number;
  const nbf = integerClaim(payload, 'nbf', false);
  const iat = integerClaim(payload, 'iat', false);

  // Exact, case-sensitive match of the URL without the scheme (a trailing slash is significant).
  const iss = payload.iss;
  const provider = iss.startsWith('https://')
    ? await deps.lookupProvider(iss.slice('https://'.length))
    : undefined;
  if (!provider) throw invalidToken(TOKEN_MESSAGES.noProvider(iss));

  const auds = audiences(payload.aud);
  const audience = auds?.find((a) => provider.clientIds.includes(a));
  if (audience === undefined) throw invalidToken(TOKEN_MESSAGES.audience);

  // Refuse unsupported algorithms before any network work ("none", HMAC with the public key as secret, …).
  const alg = typeof header.alg === 'string' ? header.alg : String(header.alg);
  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(alg))
    throw invalidToken(TOKEN_MESSAGES.algorithm(alg));

  let key: Awaited<ReturnType<JwksCache['getKey']>>;
  try {
    key = await deps.jwks.getKey(iss, header);
  } catch (e) {
    if (e instanceof KeyRetrievalError && e.kind === 'communication') {
      throw new AwsError('IDPCommunicationError', TOKEN_MESSAGES.idpCommunication(e.message), 400);
    }
    throw invalidToken(TOKEN_MESSAGES.keyUnavailable);
  }
  try {
    // jose checks the key's type against the algorithm too (an RS256 header with an EC key fails here).
    await compactVerify(token, key, { algorithms: [...ALLOWED_ALGORITHMS] });
  } catch {
    throw invalidToken(TOKEN_MESSAGES.signature);
  }

  const nowS = Math.floor(deps.now / 1000);
  if (nowS >= exp) throw new AwsError('ExpiredTokenException', TOKEN_MESSAGES.expired(nowS, exp), 400);
  if (nbf !== undefined && nbf > nowS + FUTURE_LEEWAY_SECONDS) {
    throw invalidToken(TOKEN_MESSAGES.notYetValid('nbf', nowS, nbf));
  }
  if (iat !== undefined && iat > nowS + FUTURE_LEEWAY_SECONDS) {
    throw invalidToken(TOKEN_MESSAGES.notYetValid('iat', nowS, iat));
  }

  const amr = payload.amr;
  const tags = sessionTags(payload['https://aws.amazon.com/tags']);
  const sourceIdentity = payload['https://aws.amazon.com/source_identity'];
  return {
    issuer: iss,
    provider,
    sub: payload.sub,
    audience,
    ...(Array.isArray(amr)
      ? { amr: amr.filter((a): a is string => typeof a === 'string') }
      : typeof amr === 'string'
        ? { amr: [amr] }
        : {}),
    ...(tags ? { sessionTags: tags } : {}),
    ...(typeof sourceIdentity === 'string' ? { sourceIdentity } : {}),
    claims: payload,
  };
}
