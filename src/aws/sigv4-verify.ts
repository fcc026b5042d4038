import { timingSafeEqual } from 'node:crypto';
import { AuthError, authErrors } from './errors.js';
import {
  ALGORITHM,
  buildCanonicalRequest,
  buildStringToSign,
  canonicalHeaders,
  canonicalQueryString,
  canonicalUri,
  formatAmzDate,
  parseAmzDate,
  parseQuery,
  type QueryPair,
  type SigV4Request,
  signatureHex,
  signingKey,
  splitUrl,
} from './sigv4-canonical.js';

/** AWS accepts a signing time up to 15 minutes either side of its clock. */
export const MAX_SKEW_MS = 15 * 60_000;
/** A presigned request lives at most 7 days (X-Amz-Expires ≤ 604800). */
export const MAX_PRESIGN_SECONDS = 604_800;

/** What a SigV4 signature claims, parsed from the Authorization header or the presigned query. */
export interface SigV4Auth {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** date/region/service/aws4_request */
  readonly scope: string;
  /** The signing time as signed (ISO 8601 basic). */
  readonly amzDate: string;
  readonly signedAtMs: number;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly securityToken?: string;
  /** X-Amz-Expires of a presigned request. */
  readonly expiresSeconds?: number;
  /** Query pairs of the request (decoded), kept for canonicalisation. */
  readonly query: readonly QueryPair[];
}

function header(req: SigV4Request, name: string): string | undefined {
  for (const [n, v] of req.headers) if (n.length === name.length && n.toLowerCase() === name) return v;
  return undefined;
}

function queryValue(pairs: readonly QueryPair[], key: string): string | undefined {
  for (const p of pairs) if (p.key === key) return p.value;
  return undefined;
}

/** Where the request's SigV4 credential scope names a service, without validating anything else. */
export function peekSigningService(req: SigV4Request): string | undefined {
  const authz = header(req, 'authorization');
  if (authz?.startsWith(ALGORITHM)) {
    return /Credential=[^/,\s]*\/[^/,\s]*\/[^/,\s]*\/([^/,\s]*)\//.exec(authz)?.[1];
  }
  const { query } = splitUrl(req.url);
  if (!query.includes('X-Amz-Credential=')) return undefined;
  const cred = queryValue(parseQuery(query), 'X-Amz-Credential');
  return cred?.split('/')[3];
}

function parseCredential(
  cred: string,
  amzDate: string,
  dateSource: string,
): Omit<SigV4Auth, 'form' | 'amzDate' | 'signedAtMs' | 'signedHeaders' | 'signature' | 'query'> {
  const parts = cred.split('/');
  if (parts.length !== 5) {
    throw authErrors.incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${cred}'`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (terminator !== 'aws4_request') {
    throw authErrors.scope(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    );
  }
  if (date !== amzDate.slice(0, 8)) {
    throw authErrors.scope(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${dateSource}'.`,
    );
  }
  if (!/^[a-z0-9-]{1,32}$/.test(region))
    throw authErrors.scope(`Credential should be scoped to a valid region. `);
  if (!/^[a-z0-9-]{1,64}$/.test(service))
    throw authErrors.scope(`Credential should be scoped to correct service. `);
  if (!/^[A-Za-z0-9]{1,128}$/.test(accessKeyId)) throw authErrors.unknownKey();
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

function parseSignedHeaders(value: string): string[] {
  return value.split(';');
}

function requireHostSigned(signed: readonly string[], form: 'header' | 'query'): void {
  if (!signed.includes('host')) {
    throw authErrors.incomplete(
      form === 'header'
        ? "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        : "'Host' must be a 'SignedHeader' in the AWS query-string parameters.",
    );
  }
}

/**
 * Parses the SigV4 claims of a request. Returns null when the request carries no SigV4 signature at all
 * (neither an Authorization header nor X-Amz-* query authentication); throws AuthError when it carries a
 * malformed one.
 */
export function parseSigV4(req: SigV4Request): SigV4Auth | null {
  const authz = header(req, 'authorization');
  const { query } = splitUrl(req.url);
  const pairs = parseQuery(query);
  if (authz !== undefined && authz.trim() !== '') return parseHeaderForm(req, authz, pairs);
  if (
    pairs.some(
      (p) => p.key === 'X-Amz-Algorithm' || p.key === 'X-Amz-Credential' || p.key === 'X-Amz-Signature',
    )
  ) {
    return parseQueryForm(pairs);
  }
  return null;
}

function parseHeaderForm(req: SigV4Request, authz: string, pairs: QueryPair[]): SigV4Auth {
  const trimmed = authz.trim();
  const fields = new Map<string, string>();
  if (trimmed.startsWith(`${ALGORITHM} `)) {
    for (const raw of trimmed.slice(ALGORITHM.length + 1).split(',')) {
      const part = raw.trim();
      if (part === '') continue;
      const eq = part.indexOf('=');
      if (eq < 0) {
        throw authErrors.incomplete(
          `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authz}'.`,
        );
      }
      fields.set(part.slice(0, eq), part.slice(eq + 1));
    }
  }
  const amzDateHeader = header(req, 'x-amz-date');
  const dateHeader = header(req, 'date');
  const problems: string[] = [];
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!fields.get(name)) problems.push(`Authorization header requires '${name}' parameter.`);
  }
  if (amzDateHeader === undefined && dateHeader === undefined) {
    problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (problems.length > 0) throw authErrors.incomplete(`${problems.join(' ')} Authorization=${authz}`);

  let amzDate: string;
  let signedAtMs: number;
  let dateName: string;
  if (amzDateHeader !== undefined) {
    amzDate = amzDateHeader.trim();
    signedAtMs = parseAmzDate(amzDate);
    dateName = 'x-amz-date';
  } else {
    // SigV4 allows the HTTP Date header; the string to sign then carries its ISO 8601 basic form.
    signedAtMs = Date.parse(dateHeader ?? '');
    amzDate = Number.isNaN(signedAtMs) ? (dateHeader ?? '') : formatAmzDate(signedAtMs);
    dateName = 'date';
  }
  if (Number.isNaN(signedAtMs)) {
    throw authErrors.incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const cred = parseCredential(fields.get('Credential') ?? '', amzDate, dateName);
  const signedHeaders = parseSignedHeaders(fields.get('SignedHeaders') ?? '');
  requireHostSigned(signedHeaders, 'header');
  // Stricter than AWS (documented): the header that carries the signing time must itself be signed, or a
  // captured request could be replayed past the skew window with a fresh date.
  if (!signedHeaders.includes(dateName)) {
    throw authErrors.incomplete(`'${dateName}' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  const token = header(req, 'x-amz-security-token');
  return {
    form: 'header',
    ...cred,
    amzDate,
    signedAtMs,
    signedHeaders,
    signature: fields.get('Signature') ?? '',
    ...(token !== undefined ? { securityToken: token.trim() } : {}),
    query: pairs,
  };
}

function parseQueryForm(pairs: QueryPair[]): SigV4Auth {
  const get = (k: string) => queryValue(pairs, k);
  const algorithm = get('X-Amz-Algorithm');
  const credential = get('X-Amz-Credential');
  const signature = get('X-Amz-Signature');
  const signed = get('X-Amz-SignedHeaders');
  const amzDate = get('X-Amz-Date');
  if (!algorithm || !credential || !signature || !signed || !amzDate) {
    throw authErrors.incomplete(
      "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    );
  }
  if (algorithm !== ALGORITHM) {
    throw authErrors.incomplete(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const signedAtMs = parseAmzDate(amzDate);
  if (Number.isNaN(signedAtMs)) {
    throw authErrors.incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const expiresRaw = get('X-Amz-Expires');
  let expiresSeconds: number | undefined;
  if (expiresRaw !== undefined) {
    if (!/^\d{1,10}$/.test(expiresRaw)) throw authErrors.incomplete('X-Amz-Expires should be a number');
    expiresSeconds = Number(expiresRaw);
    if (expiresSeconds > MAX_PRESIGN_SECONDS) {
      throw authErrors.incomplete(
        `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_SECONDS}`,
      );
    }
  }
  const cred = parseCredential(credential, amzDate, 'X-Amz-Date');
  const signedHeaders = parseSignedHeaders(signed);
  requireHostSigned(signedHeaders, 'query');
  const token = get('X-Amz-Security-Token');
  return {
    form: 'query',
    ...cred,
    amzDate,
    signedAtMs,
    signedHeaders,
    signature,
    ...(token !== undefined ? { securityToken: token } : {}),
    ...(expiresSeconds !== undefined ? { expiresSeconds } : {}),
    query: pairs,
  };
}

/** The 15-minute skew rule and, for presigned requests, X-Amz-Expires. Throws AuthError. */
export function checkSigningTime(auth: SigV4Auth, now: number, maxSkewMs = MAX_SKEW_MS): void {
  const minutes = Math.round(maxSkewMs / 60_000);
  if (auth.signedAtMs > now + maxSkewMs) {
    throw authErrors.skew(
      `Signature not yet current: ${auth.amzDate} is still later than ${formatAmzDate(now + maxSkewMs)} (${formatAmzDate(now)} + ${minutes} min.)`,
    );
  }
  if (auth.form === 'query' && auth.expiresSeconds !== undefined) {
    if (now > auth.signedAtMs + auth.expiresSeconds * 1000) throw authErrors.expired();
    return;
  }
  if (auth.signedAtMs < now - maxSkewMs) {
    throw authErrors.skew(
      `Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(now - maxSkewMs)} (${formatAmzDate(now)} - ${minutes} min.)`,
    );
  }
}

export interface VerifyOptions {
  readonly secretAccessKey: string;
  /** Hex SHA-256 of the body, or the x-amz-content-sha256 value for S3 (UNSIGNED-PAYLOAD, STREAMING-…). */
  readonly payloadHash: string;
  /** true for every service but S3. */
  readonly normalizePath: boolean;
}

export interface VerifiedSignature {
  readonly signingKey: Buffer;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

export interface CanonicalForm {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/** The canonical request and string to sign a verifier computes for `req` under `auth`. */
export function canonicalForm(
  req: SigV4Request,
  auth: SigV4Auth,
  payloadHash: string,
  normalizePath: boolean,
  includeQueryToken = true,
): CanonicalForm {
  const { path } = splitUrl(req.url);
  const headers = canonicalHeaders(req.headers, auth.signedHeaders);
  if (headers.missing !== undefined) {
    throw authErrors.incomplete(
      `'${headers.missing}' is named as a SignedHeader, but it does not exist in the HTTP request.`,
    );
  }
  const exclude =
    auth.form === 'query'
      ? (k: string) => k === 'X-Amz-Signature' || (!includeQueryToken && k === 'X-Amz-Security-Token')
      : undefined;
  const canonicalRequest = buildCanonicalRequest({
    method: req.method,
    canonicalUri: canonicalUri(path, normalizePath),
    canonicalQuery: canonicalQueryString(auth.query, exclude),
    canonicalHeaders: headers.text,
    signedHeaders: auth.signedHeaders,
    // A presigned request signs UNSIGNED-PAYLOAD for S3; other services sign the body hash in both forms.
    payloadHash,
  });
  return { canonicalRequest, stringToSign: buildStringToSign(auth.amzDate, auth.scope, canonicalRequest) };
}

function sameSignature(expected: string, given: string): boolean {
  if (given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

/**
 * Checks the signature of `req` with the secret of the claimed access key. Returns the signing key (S3 needs
 * it to verify streaming chunk signatures) or throws SignatureDoesNotMatch. Time is checked separately
 * (checkSigningTime) so that callers can order the checks as AWS does.
 */
export function verifySignature(req: SigV4Request, auth: SigV4Auth, opts: VerifyOptions): VerifiedSignature {
  const key = signingKey(opts.secretAccessKey, auth.date, auth.region, auth.service);
  const first = canonicalForm(req, auth, opts.payloadHash, opts.normalizePath);
  if (sameSignature(signatureHex(key, first.stringToSign), auth.signature))
    return { signingKey: key, ...first };
  // A presigned request may carry X-Amz-Security-Token added after signing (AWS's "post-sts-header-after"
  // case). Accepting it is safe here: an ASIA key id is bound to its token, so the token cannot be swapped.
  if (auth.form === 'query' && auth.securityToken !== undefined) {
    const second = canonicalForm(req, auth, opts.payloadHash, opts.normalizePath, false);
    if (sameSignature(signatureHex(key, second.stringToSign), auth.signature))
      return { signingKey: key, ...second };
  }
  throw authErrors.mismatch(first.canonicalRequest, first.stringToSign);
}

export { AuthError };
