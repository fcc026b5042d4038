import {
  ALGORITHM,
  buildCanonicalRequest,
  buildStringToSign,
  canonicalHeaders,
  canonicalQueryString,
  canonicalUri,
  formatAmzDate,
  parseQuery,
  sha256Hex,
  signatureHex,
  signingKey,
  splitUrl,
  uriEncode,
} from './sigv4-canonical.js';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignInput {
  readonly method: string;
  /** Path and query as they will be sent. */
  readonly url: string;
  /** Headers to send; must include host. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly credentials: SigningCredentials;
  readonly region: string;
  readonly service: string;
  readonly now: number;
  /** Defaults to true except for S3. */
  readonly normalizePath?: boolean;
  /** Overrides the payload hash (S3: UNSIGNED-PAYLOAD). */
  readonly payloadHash?: string;
  /** Presign into the query string instead of an Authorization header. */
  readonly presignExpiresSeconds?: number;
}

export interface SignedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/**
 * Signs a request with SigV4 (Authorization header or presigned query). irsakit uses it in tests, benches and
 * for its own calls; the verifier is the other half and shares the canonical code.
 */
export function signRequest(input: SignInput): SignedRequest {
  const amzDate = formatAmzDate(input.now);
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const normalize = input.normalizePath ?? input.service !== 's3';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  const { path, query } = splitUrl(input.url);
  const payloadHash = input.payloadHash ?? sha256Hex(input.body ?? '');
  const key = signingKey(input.credentials.secretAccessKey, date, input.region, input.service);

  if (input.presignExpiresSeconds !== undefined) {
    const signedHeaders = Object.keys(headers).sort();
    const extra: [string, string][] = [
      ['X-Amz-Algorithm', ALGORITHM],
      ['X-Amz-Credential', `${input.credentials.accessKeyId}/${scope}`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(input.presignExpiresSeconds)],
      ['X-Amz-SignedHeaders', signedHeaders.join(';')],
    ];
    if (input.credentials.sessionToken) extra.push(['X-Amz-Security-Token', input.credentials.sessionToken]);
    const pairs = [...parseQuery(query), ...extra.map(([key, value]) => ({ key, value }))];
    const canonical = buildCanonicalRequest({
      method: input.method,
      canonicalUri: canonicalUri(path, normalize),
      canonicalQuery: canonicalQueryString(pairs),
      canonicalHeaders: canonicalHeaders(Object.entries(headers), signedHeaders).text,
      signedHeaders,
      payloadHash,
    });
    const signature = signatureHex(key, buildStringToSign(amzDate, scope, canonical));
    const suffix = [...extra, ['X-Amz-Signature', signature]]
      .map(([k, v]) => `${uriEncode(k ?? '')}=${uriEncode(v ?? '')}`)
      .join('&');
    return { url: `${path}?${query === '' ? '' : `${query}&`}${suffix}`, headers };
  }

  headers['x-amz-date'] = amzDate;
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  if (input.service === 's3' && headers['x-amz-content-sha256'] === undefined) {
    headers['x-amz-content-sha256'] = payloadHash;
  }
  const signedHeaders = Object.keys(headers).sort();
  const canonical = buildCanonicalRequest({
    method: input.method,
    canonicalUri: canonicalUri(path, normalize),
    canonicalQuery: canonicalQueryString(parseQuery(query)),
    canonicalHeaders: canonicalHeaders(Object.entries(headers), signedHeaders).text,
    signedHeaders,
    payloadHash,
  });
  const signature = signatureHex(key, buildStringToSign(amzDate, scope, canonical));
  headers.authorization = `${ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { url: input.url, headers };
}
