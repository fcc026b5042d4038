import { createHash, createHmac } from 'node:crypto';

/**
 * The pure pieces of AWS Signature Version 4 (docs: "Create a canonical request for Signature Version 4").
 * Shared by the signer and the verifier so that both compute byte-for-byte the same canonical request.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** A request as it is on the wire: the request-target exactly as sent and the raw header pairs in order. */
export interface SigV4Request {
  readonly method: string;
  /** Path and query exactly as on the request line ("/a%20b?x=1"). */
  readonly url: string;
  /** Header pairs in arrival order (Node's `req.rawHeaders` paired up), names in any case. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

const HEX = '0123456789ABCDEF';

/** RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, everything else %XX upper case. */
export function uriEncode(input: string, encodeSlash = true): string {
  let out = '';
  const bytes = Buffer.from(input, 'utf8');
  for (const b of bytes) {
    if (
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x2e ||
      b === 0x5f ||
      b === 0x7e ||
      (b === 0x2f && !encodeSlash)
    ) {
      out += String.fromCharCode(b);
    } else {
      out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
    }
  }
  return out;
}

/** Percent-decoding that never throws: malformed escapes stay literal (a verifier must not crash on them). */
export function safeDecode(input: string): string {
  if (!input.includes('%')) return input;
  try {
    return decodeURIComponent(input);
  } catch {
    // Decode the valid escapes one run at a time, keep the rest as sent.
    return input.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Removes "." and ".." segments and empty segments (RFC 3986 5.2.4 plus the SigV4 slash collapse). */
export function normalizePathSegments(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const trailing = out.length > 0 && (path.endsWith('/') || path.endsWith('/.') || path.endsWith('/..'));
  return `/${out.join('/')}${trailing ? '/' : ''}`;
}

export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * The canonical URI.
 * - Every service but S3: normalise the path, then URI-encode the path as sent (AWS: "each path segment must be
 *   URI-encoded twice" — the wire form is already encoded once, so the canonical form encodes it again).
 * - S3: no normalisation and a single encoding: decode what was sent and encode it once.
 */
export function canonicalUri(rawPath: string, normalize: boolean): string {
  const path = rawPath === '' ? '/' : rawPath;
  if (normalize) return uriEncode(normalizePathSegments(path), false);
  return uriEncode(safeDecode(path), false);
}

export interface QueryPair {
  readonly key: string;
  readonly value: string;
}

/** Decoded query pairs in order. '+' is kept literally (SigV4 clients encode a space as %20). */
export function parseQuery(rawQuery: string): QueryPair[] {
  const out: QueryPair[] = [];
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push({ key: safeDecode(key), value: safeDecode(value) });
  }
  return out;
}

/** The canonical query string: every pair encoded, sorted by key then value (code-point order). */
export function canonicalQueryString(
  pairs: readonly QueryPair[],
  exclude?: (key: string) => boolean,
): string {
  const encoded: [string, string][] = [];
  for (const p of pairs) {
    if (exclude?.(p.key)) continue;
    encoded.push([uriEncode(p.key), uriEncode(p.value)]);
  }
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Trims a header value and collapses inner whitespace runs (folded lines included) to one space. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/**
 * Canonical headers for the signed header names (lower case, already sorted by the caller). Repeated headers
 * join with ',' in arrival order. Returns the name of the first signed header absent from the request, if any.
 */
export function canonicalHeaders(
  headers: ReadonlyArray<readonly [string, string]>,
  signedHeaders: readonly string[],
): { text: string; missing?: string } {
  const values = new Map<string, string[]>();
  for (const name of signedHeaders) values.set(name, []);
  for (const [name, value] of headers) {
    const list = values.get(name.toLowerCase());
    if (list) list.push(canonicalHeaderValue(value));
  }
  let text = '';
  for (const name of signedHeaders) {
    const list = values.get(name) ?? [];
    if (list.length === 0) return { text: '', missing: name };
    text += `${name}:${list.join(',')}\n`;
  }
  return { text };
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function buildCanonicalRequest(parts: {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  canonicalHeaders: string;
  signedHeaders: readonly string[];
  payloadHash: string;
}): string {
  return [
    parts.method,
    parts.canonicalUri,
    parts.canonicalQuery,
    parts.canonicalHeaders,
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function buildStringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

const keyCache = new Map<string, Buffer>();

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"), memoised. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\u0000${date}\u0000${region}\u0000${service}`;
  const hit = keyCache.get(id);
  if (hit) return hit;
  const k = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  // Bounded: a busy endpoint sees few distinct (key, day, region, service) tuples; drop all when full.
  if (keyCache.size >= 1024) keyCache.clear();
  keyCache.set(id, k);
  return k;
}

export function signatureHex(key: Buffer, stringToSign: string): string {
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/** "20150830T123600Z" ↔ ms. Returns NaN for anything but the ISO 8601 basic format. */
export function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Reject overflowing fields (Date.UTC would roll 20151340 over into the next year).
  const back = new Date(ms);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23) {
    return Number.NaN;
  }
  return ms;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
