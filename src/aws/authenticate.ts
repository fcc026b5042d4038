import type { IncomingMessage } from 'node:http';
import type { Credentials } from './credentials.js';
import { authErrors } from './errors.js';
import type { Caller } from './service.js';
import type { SigV4Request } from './sigv4-canonical.js';
import { checkSigningTime, parseSigV4, type SigV4Auth, verifySignature } from './sigv4-verify.js';

export interface AuthenticateOptions {
  readonly credentials: Pick<Credentials, 'resolveSigner'>;
  /** The signing name the credential scope must carry ("s3", "sts", "iam"). */
  readonly service: string;
  /**
   * Hex SHA-256 of the body. S3 passes the x-amz-content-sha256 header as sent (a hex hash, UNSIGNED-PAYLOAD or
   * STREAMING-AWS4-HMAC-SHA256-PAYLOAD…) and checks the body itself as it streams.
   */
  readonly payloadHash: string;
  /** false for S3 only. */
  readonly normalizePath: boolean;
  /** Server time in ms. */
  readonly now: number;
}

/** A request whose SigV4 signature checked out. */
export interface AuthenticatedRequest {
  readonly caller: Caller;
  readonly accessKeyId: string;
  readonly form: 'header' | 'query';
  /** kSigning for the scope: S3 verifies aws-chunked chunk signatures with it. */
  readonly signingKey: Buffer;
  /** The request's own signature: the seed ("previous signature") of the first chunk. */
  readonly seedSignature: string;
  /** date/region/service/aws4_request */
  readonly scope: string;
  /** The signing time (ISO 8601 basic), used in every chunk's string to sign. */
  readonly amzDate: string;
  readonly region: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly securityToken?: string;
  readonly expiresSeconds?: number;
  readonly auth: SigV4Auth;
}

/** Node's IncomingMessage as the verifier sees it: raw header pairs (duplicates kept, in order). */
export function toSigV4Request(req: IncomingMessage): SigV4Request {
  const raw = req.rawHeaders;
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i] as string, raw[i + 1] as string]);
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers };
}

/**
 * Authenticates a SigV4-signed request (Authorization header or presigned query). Returns null when the
 * request carries no signature (the caller decides between anonymous access and MissingAuthenticationToken);
 * throws AuthError (an AwsError with AWS's code, status and message, plus a `reason`) when it fails.
 * Order: syntax, credential scope, signing time, access key and session token, signature.
 */
export function authenticateRequest(
  req: IncomingMessage | SigV4Request,
  opts: AuthenticateOptions,
): AuthenticatedRequest | null {
  const sreq = 'rawHeaders' in req ? toSigV4Request(req) : req;
  const auth = parseSigV4(sreq);
  if (auth === null) return null;
  if (auth.service !== opts.service) {
    throw authErrors.scope(`Credential should be scoped to correct service: '${opts.service}'. `);
  }
  checkSigningTime(auth, opts.now);
  const signer = opts.credentials.resolveSigner(auth.accessKeyId, auth.securityToken);
  const verified = verifySignature(sreq, auth, {
    secretAccessKey: signer.secretAccessKey,
    payloadHash: opts.payloadHash,
    normalizePath: opts.normalizePath,
  });
  return {
    caller: signer.caller,
    accessKeyId: auth.accessKeyId,
    form: auth.form,
    signingKey: verified.signingKey,
    seedSignature: auth.signature,
    scope: auth.scope,
    amzDate: auth.amzDate,
    region: auth.region,
    canonicalRequest: verified.canonicalRequest,
    stringToSign: verified.stringToSign,
    ...(auth.securityToken !== undefined ? { securityToken: auth.securityToken } : {}),
    ...(auth.expiresSeconds !== undefined ? { expiresSeconds: auth.expiresSeconds } : {}),
    auth,
  };
}
